// Shared by the package checks: problems, files, JSON helpers.

export interface Problem {
  level: 'error' | 'warning';
  file: string;
  key: string;
  message: string;
}

/** The package as files: path inside the zip → bytes. */
export type PackageFiles = ReadonlyMap<string, Uint8Array>;
export const VALID_LOCALE = /^[a-z]{2}(-\w{2,3})?$/;

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function readJson(files: PackageFiles, path: string, problems: Problem[]): unknown {
  const bytes = files.get(path);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    problems.push({
      level: 'error',
      file: path,
      key: '(file)',
      message: `not valid JSON: ${(e as Error).message}`,
    });
    return undefined;
  }
}

/** Every string leaf of a translation file as a dotted key (`ui.call.line`). */
export function flattenKeys(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) for (const [kk, vv] of flattenKeys(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}
