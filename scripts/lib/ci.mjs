// One answer to "is this a CI run?" for npm test, npm start and every suite.

/** CI=true or CI=1, as CI services set it. */
export function inCi(env = process.env) {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * A prerequisite of a suite (Kamailio, sipp, the TLS module, Chromium). `missing` says what is
 * missing and how to install it, or is undefined when nothing is. Under CI a missing prerequisite
 * throws, so the suite fails loudly (npm test counts a suite that fails to load); elsewhere it warns
 * and returns the message, for `describe.skipIf`.
 * @param {string | undefined} missing
 * @returns {string | undefined}
 */
export function prerequisite(missing) {
  if (missing === undefined) return undefined;
  if (inCi()) throw new Error(missing);
  console.warn(`! skipping: ${missing}`);
  return missing;
}
