import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldIssue } from '@sip-bridge/contract/issues';

export { fieldIssues, type FieldIssue } from '@sip-bridge/contract/issues';

/** The error body every endpoint answers with: a stable code, a sentence, and field issues for 400s. */
type ApiError = {
  error: string;
  message: string;
  issues?: FieldIssue[];
};

/** Answers with an ApiError body. */
export function apiError<S extends ContentfulStatusCode>(
  c: Context,
  status: S,
  error: string,
  message: string,
  issues?: FieldIssue[],
) {
  const body: ApiError = issues ? { error, message, issues } : { error, message };
  return c.json(body, status);
}

/** Uniform 401: says nothing about which check failed, so it helps no attacker. */
export function unauthorized(c: Context) {
  return apiError(c, 401, 'unauthorized', 'Missing or invalid credentials.');
}
