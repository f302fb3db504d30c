import { accessSync, constants } from 'node:fs';

export const KAMAILIO = process.env.KAMAILIO_BIN ?? '/usr/sbin/kamailio';
export const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
/** SIP_TEST_KEEP=1 keeps the rendered configs, Kamailio logs and sipp traces in the temp dir. */
export const KEEP = process.env.SIP_TEST_KEEP === '1';

const PACKAGES =
  'apt-get install -y kamailio kamailio-extra-modules kamailio-utils-modules sip-tester';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the SIP suites can run. Under CI a missing binary is a failure (thrown at import, so the
 * suite fails loudly); elsewhere the suites are skipped with a message saying what to install.
 */
export function sipToolsAvailable(): boolean {
  const missing = [
    executable(KAMAILIO) ? undefined : `kamailio (${KAMAILIO})`,
    executable(SIPP) ? undefined : `sipp (${SIPP})`,
  ].filter(Boolean);
  if (missing.length === 0) return true;
  const message = `SIP tests need ${missing.join(' and ')}: ${PACKAGES}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`skipping: ${message}`);
  return false;
}
