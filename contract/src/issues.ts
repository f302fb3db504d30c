/** One invalid field: where it is in the body or query, and what is wrong with it. */
export type FieldIssue = {
  path: string;
  message: string;
};

/** The parts of a zod issue we read; `keys` is set on `unrecognized_keys` issues. */
export type ZodIssueLike = {
  code?: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  keys?: ReadonlyArray<string>;
};

/** `a.b[2].c`, the path a person can find in their JSON. */
function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/**
 * What is wrong, never what was sent: zod's "Unrecognized keys: …" names the keys, and an unknown
 * key can be a secret a Zendesk proxy substituted, so it becomes a count. Zod's other built-in
 * messages name only types, bounds and allowed values; our own messages never quote input.
 */
function issueMessage(issue: ZodIssueLike): string {
  if (issue.code === 'unrecognized_keys') {
    const n = issue.keys?.length ?? 1;
    return n === 1 ? 'has 1 unknown field' : `has ${n} unknown fields`;
  }
  return issue.message;
}

/**
 * Turns zod issues into field issues that echo nothing of the input.
 * @example fieldIssues(result.error.issues) // [{ path: 'acl[0].cidr', message: 'expected ADDRESS/PREFIX' }]
 */
export function fieldIssues(issues: ReadonlyArray<ZodIssueLike>): FieldIssue[] {
  return issues.map((issue) => ({ path: issuePath(issue.path), message: issueMessage(issue) }));
}
