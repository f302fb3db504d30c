// A line's caller authentication as the admin API takes it and shows it (docs/caller-auth.md).
// Secrets go in once: a digest password becomes its HA1, a token its SHA-256; neither the
// password nor the token is stored, returned or logged.
import { z } from '@hono/zod-openapi';
import {
  CALLER_AUTH_LIMITS,
  DIGEST_PASSWORD_LENGTH,
  DIGEST_REALM,
  DIGEST_USERNAME,
  E164_NUMBER,
  HA1,
  identifiesLine,
  IP_FALSE_NEEDS,
  PRINTABLE_ASCII,
  TECH_PREFIX,
  TOKEN_HEADER,
  TOKEN_SECRET,
} from '@sip-bridge/contract/caller-auth';
import { RESERVED_HEADER } from '@sip-bridge/contract/header-names';

const DigestUserInputSchema = z
  .object({
    username: z
      .string()
      .regex(DIGEST_USERNAME, 'must be 4-32 letters or digits')
      .openapi({ example: 'carrier1' }),
    password: z
      .string()
      .min(DIGEST_PASSWORD_LENGTH.min, 'must be 8-128 characters')
      .max(DIGEST_PASSWORD_LENGTH.max, 'must be 8-128 characters')
      .regex(PRINTABLE_ASCII, 'must be printable ASCII')
      .optional()
      .openapi({
        description:
          'Turned into the HA1 at once and never stored or returned. Give this or `ha1`; ' +
          'leave both out to keep the user’s stored HA1 (same realm only).',
      }),
    ha1: z
      .string()
      .regex(HA1, 'must be 32 lower-case hex digits')
      .optional()
      .openapi({ description: 'MD5(username:realm:password) in lower-case hex (RFC 2617)' }),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.password !== undefined && u.ha1 !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ha1'],
        message: 'give password or ha1, not both',
        params: { kind: 'password_and_ha1' },
      });
    }
  });

export const LineAuthInputSchema = z
  .object({
    ip: z
      .boolean()
      .default(true)
      .openapi({
        description:
          'true: the caller’s source address must be in the line’s ACL, and the checks below ' +
          'come on top of it. false: a caller from an address in no line’s ACL may reach the ' +
          'line by its credential: a digest username (unique among such lines, which share one ' +
          'realm) or a tech prefix (unique among them) with a token. A source in another ' +
          'line’s ACL is that line’s caller.',
      }),
    digest: z
      .object({
        realm: z
          .string()
          .regex(DIGEST_REALM, 'must be a host-like name (letters, digits, dots, dashes)')
          .openapi({ example: 'sip.example.com' }),
        users: z
          .array(DigestUserInputSchema)
          .min(1)
          .max(CALLER_AUTH_LIMITS.users)
          .superRefine((users, ctx) => {
            const seen = new Map<string, number>();
            users.forEach((u, i) => {
              const first = seen.get(u.username);
              if (first !== undefined) {
                ctx.addIssue({
                  code: 'custom',
                  path: [i, 'username'],
                  message: `repeats users[${first}].username`,
                  params: { kind: 'repeated' },
                });
              } else seen.set(u.username, i);
            });
          }),
      })
      .strict()
      .optional()
      .openapi({
        description:
          'SIP digest: the edge answers 407 with Proxy-Authenticate, then checks ' +
          'Proxy-Authorization against the user’s HA1; wrong credentials get 403.',
      }),
    token: z
      .object({
        header: z
          .string()
          .regex(TOKEN_HEADER, 'must be X-<name> (letters, digits, dashes)')
          .refine((n) => !RESERVED_HEADER.test(n), {
            message: 'X-Zendesk- and X-Bridge- headers are the bridge’s own',
            params: { kind: 'reserved_header' },
          })
          .openapi({ example: 'X-Line-Token' }),
        secret: z
          .string()
          .regex(TOKEN_SECRET, 'must be 16-256 printable ASCII characters without spaces')
          .optional()
          .openapi({
            description:
              'The value callers send. Only its SHA-256 is stored and sent to the edge; leave ' +
              'it out to keep the stored one.',
          }),
      })
      .strict()
      .optional(),
    tech_prefix: z.string().regex(TECH_PREFIX, 'must be 4 digits').optional().openapi({
      description:
        'The Request-URI’s user part must start with these 4 digits; the edge removes them.',
      example: '1234',
    }),
    p_charge_info: z
      .object({
        numbers: z
          .array(z.string().regex(E164_NUMBER, 'must be an E.164 number, e.g. +14155550100'))
          .min(1)
          .max(CALLER_AUTH_LIMITS.numbers),
      })
      .strict()
      .optional()
      .openapi({
        description: 'P-Charge-Info must name one of these numbers (the line’s numbers).',
      }),
  })
  .strict()
  .superRefine((auth, ctx) => {
    if (!auth.ip && !identifiesLine(auth)) {
      ctx.addIssue({ code: 'custom', path: ['ip'], message: IP_FALSE_NEEDS.replace(/^ip /, '') });
    }
  })
  .openapi('LineAuthInput', {
    description:
      'How callers prove they may use the line; every part given must pass (403 with a reason, ' +
      'or a 407 digest challenge). Replaces the whole setting on PATCH.',
  });

export const LineAuthSchema = z
  .object({
    ip: z.boolean(),
    digest: z
      .object({ realm: z.string(), users: z.array(z.object({ username: z.string() })) })
      .optional(),
    token: z.object({ header: z.string(), secret_set: z.literal(true) }).optional(),
    tech_prefix: z.string().optional(),
    p_charge_info: z.object({ numbers: z.array(z.string()) }).optional(),
  })
  .openapi('LineAuth', {
    description: 'The line’s caller authentication; passwords, HA1s and the token never appear.',
  });

export type LineAuthInput = z.infer<typeof LineAuthInputSchema>;
export type LineAuth = z.infer<typeof LineAuthSchema>;
