import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter, type AppEnv } from '../router';
import { apiError } from '../http/problem';
import {
  addAclEntry,
  createLine,
  deleteLine,
  getLine,
  LineConflictError,
  listLines,
  patchLine,
  removeAclEntry,
  SecureMediaTargetsError,
  storedLineAuth,
  CredentialConflictError,
} from '../lines/store';
import { credentialConflictIssues } from '../lines/credential-conflicts';
import { resolveLineAuth } from '../lines/auth';
import { readRoutingRules } from '../lines/routing-rules-store';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { customFieldIssues, ticketFields } from '../handoffs/custom-fields';
import { zendeskFromEnv } from '../config';
import type { ContextMapping } from '../schemas/lines';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import { webhookSettingsIssues } from '../webhooks/url-policy';
import {
  AclEntryInputSchema,
  LineAnswerSchema,
  LineCreateSchema,
  LinePatchSchema,
  LineSchema,
  insecureTargetIssues,
  unconfirmedWideEntries,
} from '../schemas/lines';

const security = [{ adminToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const notFound = { 404: jsonContent(ErrorSchema, 'No such line') };
const conflict = {
  409: jsonContent(
    ErrorSchema,
    'Already exists, or (`credential_conflict`) a line without an IP allowlist would share a ' +
      'digest username or tech prefix with another such line, or use another realm than theirs',
  ),
};
const credentialConflict = {
  409: jsonContent(
    ErrorSchema,
    '`credential_conflict`: a line without an IP allowlist would share a digest username or ' +
      'tech prefix with another such line, or use another realm than theirs',
  ),
};
const credentialConflicted = (
  c: Parameters<typeof apiError>[0],
  issues: { path: string; message: string }[],
) =>
  apiError(
    c,
    409,
    'credential_conflict',
    'Lines without an IP allowlist are found by their credential, which must name one line; see issues.',
    issues,
  );
/** When D1's triggers caught what the check let through (another write raced it). */
const CREDENTIAL_RACED = [
  { path: 'auth', message: 'another line without an IP allowlist has this credential or realm' },
];
const wide = {
  422: jsonContent(
    ErrorSchema,
    'An ACL entry wider than /8 (IPv4) or /32 (IPv6) lacks confirm_wide',
  ),
};
const zendeskChecks = {
  422: jsonContent(
    ErrorSchema,
    'An ACL entry wider than /8 (IPv4) or /32 (IPv6) lacks confirm_wide, a context mapping ' +
      'names a ticket field that does not exist, is a system field, or is inactive, or caller ' +
      'auth lacks a secret it needs (`missing_secret`: a new digest user or realm, a new token)',
  ),
  503: jsonContent(ErrorSchema, 'Zendesk could not be asked about mapped ticket fields'),
};
const fieldChecks = {
  ...zendeskChecks,
  422: jsonContent(
    ErrorSchema,
    'A context mapping names a ticket field that does not exist, is a system field, or is ' +
      'inactive, or caller auth lacks a secret it needs (`missing_secret`: a new digest user or ' +
      'realm, a new token)',
  ),
};
const missingSecrets = (
  c: Parameters<typeof apiError>[0],
  issues: { path: string; message: string }[],
) =>
  apiError(
    c,
    422,
    'missing_secret',
    'Caller auth needs a secret it was not given; see issues.',
    issues,
  );
const unconfirmed = (
  c: Parameters<typeof apiError>[0],
  issues: { path: string; message: string }[],
) =>
  apiError(
    c,
    422,
    'unconfirmed_wide_acl',
    'A wide ACL entry needs confirmation; see issues.',
    issues,
  );
type Ctx = Context<AppEnv>;

/**
 * The refusal for context mappings naming a ticket field Zendesk does not have (or a system or
 * inactive one), or null when they are fine. Asks Zendesk only when a mapping names a field.
 */
async function badContextFields(c: Ctx, mappings: ContextMapping[] | undefined) {
  const named = (mappings ?? []).flatMap((m, i) =>
    m.field_id === undefined ? [] : [{ index: i, id: m.field_id }],
  );
  if (!named.length) return null;
  let fields;
  try {
    fields = await ticketFields(
      zendeskFromEnv(c.env),
      named.map((n) => n.id),
      Date.now() + 5000,
      Date.now(),
    );
  } catch {
    c.header('Retry-After', '5');
    return apiError(
      c,
      503,
      'zendesk_unavailable',
      'Zendesk could not be asked about the mapped ticket fields; the line was not changed.',
    );
  }
  // Two mappings may feed one field; only each id's own problems count here.
  const issues = named.flatMap((n) =>
    customFieldIssues(fields, [{ id: n.id, value: null }]).map((issue) => ({
      path: `context_headers[${n.index}].field_id`,
      message: issue.message,
    })),
  );
  return issues.length
    ? apiError(c, 422, 'unknown_custom_field', 'A mapped ticket field cannot take values.', issues)
    : null;
}

/** The 400 for webhook URLs the Worker may not send to, or null when they are fine. */
function badWebhookUrls(
  c: Ctx,
  webhook: { url: string; failover_url?: string | null } | null | undefined,
) {
  const issues = webhookSettingsIssues(webhook, c.env.ZENDESK_ALLOW_LOCAL === '1');
  return issues.length
    ? apiError(c, 400, 'invalid_request', 'The request is invalid; see issues.', issues)
    : null;
}

/**
 * The 400 for a PATCH that would leave a secure line with a target not reached over TLS (the
 * media or the targets changed alone; both together are checked by LinePatchSchema), or null.
 */
async function insecureTargets(
  c: Ctx,
  slug: string,
  input: { media?: string | undefined; sip_targets?: string[] | undefined },
) {
  if (input.media === undefined && input.sip_targets === undefined) return null;
  if (input.media === 'secure') {
    // The line's routing rules reach their targets over TLS too.
    const [plainRule] = ((await readRoutingRules(c.env.DB, slug))?.rules.rules ?? []).flatMap(
      (rule, i) =>
        insecureTargetIssues('secure', rule.sip_targets, (j) => `rules[${i}].sip_targets[${j}]`),
    );
    if (plainRule) {
      return secureMediaRefused(c, [
        {
          path: 'media',
          message: `secure needs every routing rule target sips: or ;transport=tls (routing-rules ${plainRule.path} is not)`,
        },
      ]);
    }
  }
  if (input.media !== undefined && input.sip_targets !== undefined) return null;
  const stored = await getLine(c.env.DB, slug);
  if (!stored) return null; // patchLine answers 404
  if (input.media === undefined) {
    const issues = insecureTargetIssues(
      stored.media,
      input.sip_targets!,
      (i) => `sip_targets[${i}]`,
    );
    return issues.length ? secureMediaRefused(c, issues) : null;
  }
  const [first] = insecureTargetIssues(input.media, stored.sip_targets, (i) => `sip_targets[${i}]`);
  return first
    ? secureMediaRefused(c, [
        {
          path: 'media',
          message: `secure needs every sip_targets entry sips: or ;transport=tls (${first.path} is not)`,
        },
      ])
    : null;
}

const secureMediaRefused = (c: Ctx, issues: { path: string; message: string }[]) =>
  apiError(c, 400, 'invalid_request', 'The request is invalid; see issues.', issues);
/** When D1's triggers caught what the check above let through (another write raced it). */
const RACED = [
  { path: 'media', message: 'a secure line needs every sip_targets entry sips: or ;transport=tls' },
];

/** A written line's answer: the webhook secret only when this request made it. */
const lineAnswer = (w: { line: z.infer<typeof LineSchema>; webhookSecret?: string }) =>
  w.webhookSecret ? { line: w.line, webhook_secret: w.webhookSecret } : { line: w.line };

// Messages name the field, never its value (see http/issues.ts).
const lineNotFound = (c: Parameters<typeof apiError>[0], _slug: string) =>
  apiError(c, 404, 'not_found', 'No line with this slug.');

const list = createRoute({
  method: 'get',
  path: '/v1/admin/lines',
  summary: 'List lines with their ACL',
  security,
  responses: {
    200: jsonContent(z.object({ lines: z.array(LineSchema) }), 'Every line'),
    ...errorResponses,
  },
});
const create = createRoute({
  method: 'post',
  path: '/v1/admin/lines',
  summary: 'Create a line (with its ACL entries and webhook)',
  description:
    'With a `webhook`, the answer carries its signing secret as `webhook_secret`, this once only.',
  security,
  request: { body: jsonBody(LineCreateSchema) },
  responses: {
    201: jsonContent(LineAnswerSchema, 'Created'),
    ...errorResponses,
    ...conflict,
    ...wide,
    ...zendeskChecks,
  },
});
const show = createRoute({
  method: 'get',
  path: '/v1/admin/lines/{slug}',
  summary: 'Show a line',
  security,
  request: { params: SlugParam },
  responses: {
    200: jsonContent(z.object({ line: LineSchema }), 'The line'),
    ...errorResponses,
    ...notFound,
  },
});
const patch = createRoute({
  method: 'patch',
  path: '/v1/admin/lines/{slug}',
  summary: 'Change some fields of a line',
  description:
    'A `webhook` set on a line that had none gets a signing secret, answered as `webhook_secret` ' +
    'this once only; changing an existing webhook keeps its secret (rotate it with ' +
    '`POST /v1/admin/lines/{slug}/webhook/rotate-secret`).',
  security,
  request: { params: SlugParam, body: jsonBody(LinePatchSchema) },
  responses: {
    200: jsonContent(LineAnswerSchema, 'Updated'),
    ...errorResponses,
    ...notFound,
    ...credentialConflict,
    ...fieldChecks,
  },
});
const remove = createRoute({
  method: 'delete',
  path: '/v1/admin/lines/{slug}',
  summary: 'Delete a line and its ACL (call records are kept)',
  security,
  request: { params: SlugParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses, ...notFound },
});
const addAcl = createRoute({
  method: 'post',
  path: '/v1/admin/lines/{slug}/acl',
  summary: 'Allow a source network on a line',
  security,
  request: { params: SlugParam, body: jsonBody(AclEntryInputSchema) },
  responses: {
    201: jsonContent(z.object({ line: LineSchema }), 'Added'),
    ...errorResponses,
    ...notFound,
    ...conflict,
    ...wide,
  },
});
const removeAcl = createRoute({
  method: 'delete',
  path: '/v1/admin/lines/{slug}/acl/{id}',
  summary: 'Remove an ACL entry',
  security,
  request: { params: SlugParam.extend({ id: z.coerce.number().int().positive() }) },
  responses: { 204: { description: 'Removed' }, ...errorResponses, ...notFound },
});

export const adminLineRoutes = createRouter()
  .openapi(list, async (c) => c.json({ lines: await listLines(c.env.DB) }, 200))
  .openapi(create, async (c) => {
    const input = c.req.valid('json');
    const badUrls = badWebhookUrls(c, input.webhook);
    if (badUrls) return badUrls;
    const wideIssues = unconfirmedWideEntries(input.acl, (i) => `acl[${i}].confirm_wide`);
    if (wideIssues.length) return unconfirmed(c, wideIssues);
    const auth = await resolveLineAuth(input.auth, null);
    if (!auth.ok) return missingSecrets(c, auth.issues);
    const clashes = await credentialConflictIssues(c.env.DB, input.slug, auth.auth);
    if (clashes.length) return credentialConflicted(c, clashes);
    const badFields = await badContextFields(c, input.context_headers);
    if (badFields) return badFields;
    try {
      return c.json(lineAnswer(await createLine(c.env.DB, input, auth.auth)), 201);
    } catch (err) {
      if (err instanceof LineConflictError) return apiError(c, 409, 'conflict', err.message);
      if (err instanceof SecureMediaTargetsError) return secureMediaRefused(c, RACED);
      if (err instanceof CredentialConflictError) return credentialConflicted(c, CREDENTIAL_RACED);
      throw err;
    }
  })
  .openapi(show, async (c) => {
    const { slug } = c.req.valid('param');
    const line = await getLine(c.env.DB, slug);
    return line ? c.json({ line }, 200) : lineNotFound(c, slug);
  })
  .openapi(patch, async (c) => {
    const { slug } = c.req.valid('param');
    const input = c.req.valid('json');
    const badUrls = badWebhookUrls(c, input.webhook);
    if (badUrls) return badUrls;
    let auth;
    if (input.auth) {
      const previous = await storedLineAuth(c.env.DB, slug);
      if (!previous) return lineNotFound(c, slug);
      const resolved = await resolveLineAuth(input.auth, previous);
      if (!resolved.ok) return missingSecrets(c, resolved.issues);
      auth = resolved.auth;
      const clashes = await credentialConflictIssues(c.env.DB, slug, auth);
      if (clashes.length) return credentialConflicted(c, clashes);
    }
    const insecure = await insecureTargets(c, slug, input);
    if (insecure) return insecure;
    const badFields = await badContextFields(c, input.context_headers);
    if (badFields) return badFields;
    let written;
    try {
      written = await patchLine(c.env.DB, slug, input, auth);
    } catch (err) {
      if (err instanceof SecureMediaTargetsError) return secureMediaRefused(c, RACED);
      if (err instanceof CredentialConflictError) return credentialConflicted(c, CREDENTIAL_RACED);
      throw err;
    }
    return written ? c.json(lineAnswer(written), 200) : lineNotFound(c, slug);
  })
  .openapi(remove, async (c) => {
    const { slug } = c.req.valid('param');
    return (await deleteLine(c.env.DB, slug)) ? c.body(null, 204) : lineNotFound(c, slug);
  })
  .openapi(addAcl, async (c) => {
    const { slug } = c.req.valid('param');
    const entry = c.req.valid('json');
    const wideIssues = unconfirmedWideEntries([entry], () => 'confirm_wide');
    if (wideIssues.length) return unconfirmed(c, wideIssues);
    try {
      const line = await addAclEntry(c.env.DB, slug, entry);
      return line ? c.json({ line }, 201) : lineNotFound(c, slug);
    } catch (err) {
      if (err instanceof LineConflictError) return apiError(c, 409, 'conflict', err.message);
      throw err;
    }
  })
  .openapi(removeAcl, async (c) => {
    const { slug, id } = c.req.valid('param');
    return (await removeAclEntry(c.env.DB, slug, id))
      ? c.body(null, 204)
      : apiError(c, 404, 'not_found', 'No ACL entry with this id on this line.');
  });
