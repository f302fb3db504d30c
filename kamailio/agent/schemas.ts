import { z } from 'zod';
import { fieldIssues } from '@sip-bridge/contract/issues';
import { parseIp } from '@sip-bridge/contract/cidr';

// These mirror worker/src/schemas/edge.ts rule for rule (schemas.test.ts checks both agree): an
// event the agent accepts must be accepted by the Worker, or it would sit in the spool forever.

/** Kamailio sends "" for an absent value (its pseudo-variables have no null). */
const absent = (v: unknown) => (v === '' || v === null ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(absent, schema.optional());
const nullable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => absent(v) ?? null, schema.nullable());

// SIP header values are bounded and never carry CR/LF (the Worker refuses them).
const sipValue = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL');

const IsoTime = z.iso.datetime({ offset: true });

/** The SIP facts and their length limits (the Worker's, worker/src/schemas/edge.ts). */
const SIP_FIELDS = {
  from: 1024,
  to: 1024,
  request_uri: 1024,
  p_asserted_identity: 1024,
  user_agent: 512,
} as const;

/**
 * Makes Kamailio's SIP facts safe to decide on, so that no header content a caller controls can
 * get a call relayed without a decision: a header that was not UTF-8 arrives as `<name>_hex` and
 * is decoded (invalid bytes become U+FFFD); folded lines and control characters become spaces;
 * anything longer than the limit is cut. Each change is listed in `sanitized` as `name:how`.
 * @example safeSipFacts({ from_hex: '4dfc6c6c6572' }).from // 'M\uFFFDller'
 */
export function safeSipFacts(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const input = raw as Record<string, unknown>;
  const marks = new Set(
    Array.isArray(input.sanitized) ? input.sanitized.filter((m) => typeof m === 'string') : [],
  );
  const out: Record<string, unknown> = {};
  for (const [name, max] of Object.entries(SIP_FIELDS)) {
    let value = input[name];
    const hex = input[`${name}_hex`];
    if ((value === undefined || value === null) && typeof hex === 'string') {
      value = /^(?:[0-9a-fA-F]{2})*$/.test(hex)
        ? new TextDecoder('utf-8').decode(Buffer.from(hex, 'hex'))
        : undefined;
      marks.add(`${name}:escaped`);
    }
    if (typeof value === 'string') {
      // RFC 3261 header folding (CRLF + whitespace) is whitespace; other controls are never data.
      // eslint-disable-next-line no-control-regex
      const flat = value.replace(/\r?\n[ \t]*|[\x00-\x08\x0a-\x1f\x7f]+/g, ' ');
      if (flat !== value) marks.add(`${name}:escaped`);
      value = flat.length > max ? flat.slice(0, max) : flat;
      if (flat.length > max) marks.add(`${name}:truncated`);
    }
    out[name] = value;
  }
  if (marks.size > 0) out.sanitized = [...marks].slice(0, 10);
  return out;
}

export const CallIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII without spaces, as SIP allows');

export const TicketIdSchema = z.string().regex(/^[0-9]{1,19}$/, 'must be 1-19 digits');

/** The facts of one INVITE as Kamailio reports them to /v1/decide (and inside each event). */
export const CallFactsSchema = z.object({
  call_id: CallIdSchema,
  line: z
    .string()
    .regex(
      /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/,
      'lower-case letters, digits and inner dashes, 1-48 characters',
    ),
  source: z.object({
    ip: z
      .string()
      .max(64)
      .refine((v) => parseIp(v) !== undefined, 'must be an IPv4 or IPv6 address'),
    port: z.preprocess(
      (v) => (v === 0 ? undefined : absent(v)),
      z.number().int().min(1).max(65535).optional(),
    ),
    transport: optional(z.enum(['udp', 'tcp', 'tls', 'ws', 'wss'])),
  }),
  acl_entry: nullable(z.string().max(120)),
  sip: z.preprocess(
    safeSipFacts,
    z.object({
      from: sipValue(1024).min(1),
      to: sipValue(1024).min(1),
      request_uri: sipValue(1024).min(1),
      p_asserted_identity: nullable(sipValue(1024)),
      user_agent: nullable(sipValue(512)),
      sanitized: z.array(z.string().max(40)).max(10).optional(),
    }),
  ),
  ticket_id: nullable(TicketIdSchema),
  // An array as documented; a comma-separated string is accepted too (simpler to build in a cfg).
  codecs: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter((c) => c !== '') : (absent(v) ?? [])),
    z.array(z.string().max(32)).max(32),
  ),
  received_at: optional(IsoTime),
});

/** One lifecycle event from Kamailio; `at` is stamped by the agent when absent. */
export const KamailioEventSchema = z.object({
  call_id: CallIdSchema,
  kind: z.enum(['answered', 'ended', 'failed', 'cancelled']),
  at: optional(IsoTime),
  sip_code: z.preprocess(
    (v) => (v === 0 ? undefined : absent(v)),
    z.number().int().min(100).max(699).optional(),
  ),
  reason: optional(sipValue(200)),
  ended_by: optional(z.enum(['caller', 'callee', 'proxy'])),
  call: optional(CallFactsSchema),
});

export type CallFacts = z.infer<typeof CallFactsSchema>;
export type KamailioEvent = z.infer<typeof KamailioEventSchema>;
/** An event as spooled and sent to the Worker: `at` is always set. */
export type CallEvent = KamailioEvent & { at: string };

/** The Worker's answer to POST /v1/edge/decisions, as far as the agent relies on it. */
export const WorkerDecisionSchema = z.object({
  action: z.enum(['relay', 'reject']),
  code: z.number().int().optional(),
  reason: z.string().optional(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
});

/** The Worker's answer to POST /v1/edge/events: one result per event, in order. */
export const WorkerEventResultsSchema = z.object({
  results: z.array(
    z.object({
      call_id: z.string(),
      kind: z.string(),
      status: z.enum(['applied', 'duplicate', 'unknown_call']),
    }),
  ),
});

export type WorkerDecision = z.infer<typeof WorkerDecisionSchema>;

/** `a.b[2].c: message` lines a person can find in their JSON, echoing none of its keys or values. */
export function describeIssues(error: z.ZodError): string {
  return fieldIssues(error.issues)
    .slice(0, 5)
    .map((i) => `${i.path || '(body)'}: ${i.message}`)
    .join('; ');
}
