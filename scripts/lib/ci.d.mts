// Types for ci.mjs.
export function inCi(env?: Record<string, string | undefined>): boolean;
export function prerequisite(missing: string | undefined): string | undefined;
