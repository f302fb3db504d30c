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
  /** too_small / too_big: the bound, and what it bounds (`string`, `number`, `array`…). */
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  /** custom: `params.kind` names the problem (e.g. `insecure_target`). */
  params?: Record<string, unknown>;
};

/**
 * A field issue with the kind of problem, for a client that words it itself in its user's
 * language (the admin console): zod's code (`too_small`, `invalid_format`, `invalid_type`,
 * `invalid_value`, `unknown_fields`), or for our own checks `params.kind` (`insecure_target`,
 * `invalid_cidr`, `unknown_country`, …; `custom` when a check names none), with the bound of a
 * `too_small` / `too_big` (`minimum` / `maximum`, and `origin`: what is bounded). Like
 * `message`, none of it echoes the input.
 */
export type KindedFieldIssue = FieldIssue & {
  code: string;
  origin?: string;
  minimum?: number;
  maximum?: number;
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

/** The kind of a zod issue, as KindedFieldIssue's `code`. */
function issueKind(issue: ZodIssueLike): string {
  if (issue.code === 'unrecognized_keys') return 'unknown_fields';
  if (issue.code === 'custom') {
    const kind = issue.params?.kind;
    return typeof kind === 'string' && /^[a-z_]{1,40}$/.test(kind) ? kind : 'custom';
  }
  return issue.code && /^[a-z_]{1,40}$/.test(issue.code) ? issue.code : 'custom';
}

const bound = (value: number | bigint | undefined) =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * Field issues with their kind (KindedFieldIssue), for the admin console's requests.
 * @example kindedFieldIssues(result.error.issues) // [{ path: 'routing.no_answer_ms', message: 'Too small: …', code: 'too_small', origin: 'number', minimum: 1000 }]
 */
export function kindedFieldIssues(issues: ReadonlyArray<ZodIssueLike>): KindedFieldIssue[] {
  return issues.map((issue) => {
    const minimum = bound(issue.minimum);
    const maximum = bound(issue.maximum);
    return {
      path: issuePath(issue.path),
      message: issueMessage(issue),
      code: issueKind(issue),
      ...(issue.origin && /^[a-z]{1,20}$/.test(issue.origin) ? { origin: issue.origin } : {}),
      ...(minimum !== undefined ? { minimum } : {}),
      ...(maximum !== undefined ? { maximum } : {}),
    };
  });
}

/**
 * Turns zod issues into field issues that echo nothing of the input.
 * @example fieldIssues(result.error.issues) // [{ path: 'acl[0].cidr', message: 'expected ADDRESS/PREFIX' }]
 */
export function fieldIssues(issues: ReadonlyArray<ZodIssueLike>): FieldIssue[] {
  return issues.map((issue) => ({ path: issuePath(issue.path), message: issueMessage(issue) }));
}
