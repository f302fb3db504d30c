// The admin console words a refused field itself, in the admin's language, from the kind of
// problem (docs/worker.md, "Console"): its requests' 400s carry `code` on every issue
// (KindedFieldIssue), and the admin API's other refusals handed back to it get one too.
import type { Context } from 'hono';
import { kindedFieldIssues, type ZodIssueLike } from '@sip-bridge/contract/issues';
import { apiError } from './problem';

/** The console routes' validation hook: a 400 whose issues carry their kind. */
export const consoleHook = (
  result: { success: true } | { success: false; error: { issues: ZodIssueLike[] } },
  c: Context,
) => {
  if (result.success) return undefined;
  return apiError(
    c,
    400,
    'invalid_request',
    'The request is invalid; see issues.',
    kindedFieldIssues(result.error.issues),
  );
};

/**
 * The kind of the issues the admin line handlers build themselves, by the answer's error code.
 * Through the console, an `invalid_request` from a line handler (its body already passed the
 * console's schema, which refuses a webhook) is a secure line with a target not over TLS.
 */
export const LINE_ISSUE_KINDS: Record<string, string> = {
  unconfirmed_wide_acl: 'unconfirmed_wide',
  missing_secret: 'missing_secret',
  unknown_custom_field: 'unknown_custom_field',
  invalid_request: 'insecure_target',
};

/** The block list handler's own refusal: a number it cannot read as one (or a withheld caller). */
export const BLOCK_ISSUE_KINDS: Record<string, string> = { invalid_request: 'invalid_number' };

type Issue = { path: string; message: string; code?: string };

/** An admin handler's error body with each issue given its kind (`custom` when unknown). */
export function withIssueKinds<T extends { error?: unknown; issues?: Issue[] }>(
  body: T,
  kinds: Record<string, string>,
): T {
  if (!Array.isArray(body.issues)) return body;
  const kind = (typeof body.error === 'string' && kinds[body.error]) || 'custom';
  return { ...body, issues: body.issues.map((i) => (i.code ? i : { ...i, code: kind })) };
}
