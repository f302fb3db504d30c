// Types for vitest-count.mjs.
export function countReport(
  report: unknown,
  exitStatus?: number | null,
): { passed: number; failed: number; skipped: number; problems: string[] };
