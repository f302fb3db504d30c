import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type SipBridgeConfig } from './config-schema';

/** One problem in the config file, located for a person: `file:line:col: path: message`. */
interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** Field path as written in messages, e.g. `lines[1].acl[0]`; empty for the whole file. */
  path: string;
  message: string;
}

type LoadResult =
  { ok: true; config: SipBridgeConfig; token: string } | { ok: false; issues: ConfigIssue[] };

/** `file:line:col: path: message`, the form editors and CI logs link to. */
export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** `['lines', 1, 'acl', 0]` → `lines[1].acl[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Agent tokens go into a cfg string and an HTTP header: plain token characters only. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/**
 * Reads and validates the YAML config; every issue carries the file, line, column and field path.
 * Nothing is written: the caller renders only when `ok` is true.
 * @example const r = await loadConfigFile('sipbridge.yaml'); if (!r.ok) r.issues.map(formatIssue)
 */
export async function loadConfigFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadResult> {
  return parseConfigText(await readFile(file, 'utf8'), basename(file), env);
}

/** The same as loadConfigFile for text already in memory (`name` is used in messages). */
export function parseConfigText(text: string, name: string, env: NodeJS.ProcessEnv): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        file: name,
        ...at(e.pos[0]),
        path: '',
        message: e.message,
      })),
    };
  }
  const parsed = ConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => locateIssue(doc, issue, name, at));
    return { ok: false, issues: issues.sort((a, b) => a.line - b.line || a.col - b.col) };
  }
  const config = parsed.data;
  const token = config.agent.token ?? env[config.agent.token_env ?? ''];
  const tokenField = config.agent.token !== undefined ? 'token' : 'token_env';
  const tokenProblem =
    token === undefined || token === ''
      ? `environment variable ${config.agent.token_env} is not set`
      : TOKEN_PATTERN.test(token)
        ? undefined
        : 'the token must be 16-512 characters of A-Z a-z 0-9 . _ ~ + / = -';
  if (tokenProblem) {
    const node = nodeAt(doc, ['agent', tokenField]);
    return {
      ok: false,
      issues: [
        {
          file: name,
          ...at(node?.range?.[0] ?? 0),
          path: `agent.${tokenField}`,
          message: tokenProblem,
        },
      ],
    };
  }
  return { ok: true, config, token: token! };
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  const node = doc.getIn(path as unknown[], true);
  return node && typeof node === 'object' && 'range' in node ? (node as Node) : undefined;
}

/** Finds the YAML node a zod issue is about: the value, or its parent when the key is missing. */
function locateIssue(
  doc: Document,
  issue: z.core.$ZodIssue,
  file: string,
  at: (offset: number) => { line: number; col: number },
): ConfigIssue[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const parent = nodeAt(doc, path) ?? doc.contents ?? undefined;
    return issue.keys.map((key) => {
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === key)
        : undefined;
      const range = (isScalar(pair?.key) ? pair.key.range : undefined) ?? parent?.range;
      return {
        file,
        ...at(range?.[0] ?? 0),
        path: formatPath([...path, key]),
        message: 'unknown key (check the spelling against sipbridge.example.yaml)',
      };
    });
  }
  // Walk up to the deepest node that exists (a missing key is reported on its parent map).
  let depth = path.length;
  let node = nodeAt(doc, path);
  while (!node && depth > 0) node = nodeAt(doc, path.slice(0, --depth));
  node ??= (doc.contents as Node | null) ?? undefined;
  // Absent and required; absent fields that got a default are reported with their own message.
  const missing = depth < path.length && issue.code === 'invalid_type';
  return [
    {
      file,
      ...at(node?.range?.[0] ?? 0),
      path: formatPath(path),
      message: missing ? 'is required' : friendlyMessage(issue),
    },
  ];
}

function friendlyMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `must be ${article(issue.expected)}`;
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return issue.message;
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping (key: value)';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
