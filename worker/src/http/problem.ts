import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** One invalid field: where it is in the body or query, and what is wrong with it. */
export type FieldIssue = {
  path: string;
  message: string;
};

/** The error body every endpoint answers with: a stable code, a sentence, and field issues for 400s. */
export type ApiError = {
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

/** Turns zod issues into `a.b[2].c` field paths a person can find in their JSON. */
export function fieldIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.reduce<string>(
      (acc, part) =>
        typeof part === 'number'
          ? `${acc}[${part}]`
          : acc
            ? `${acc}.${String(part)}`
            : String(part),
      '',
    ),
    message: issue.message,
  }));
}

/** Uniform 401: says nothing about which check failed, so it helps no attacker. */
export function unauthorized(c: Context) {
  return apiError(c, 401, 'unauthorized', 'Missing or invalid credentials.');
}
