import { accessSync, constants, existsSync } from 'node:fs';
import { prerequisite } from '../../../scripts/lib/ci.mjs';

export const KAMAILIO = process.env.KAMAILIO_BIN ?? '/usr/sbin/kamailio';
export const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
export const TLS_MODULE = '/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so';
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
 * Whether the SIP suites can run. Under CI (scripts/lib/ci.mjs) a missing binary is a failure
 * (thrown at import, so the suite fails loudly); elsewhere the suites are skipped with a message
 * saying what to install.
 */
export function sipToolsAvailable(): boolean {
  const missing = [
    executable(KAMAILIO) ? undefined : `kamailio (${KAMAILIO})`,
    executable(SIPP) ? undefined : `sipp (${SIPP})`,
  ].filter(Boolean);
  return (
    prerequisite(
      missing.length ? `SIP tests need ${missing.join(' and ')}: ${PACKAGES}` : undefined,
    ) === undefined
  );
}

/** Whether `kamailio -c` can run (the renderer's check needs no sipp), with the same CI rule. */
export function kamailioAvailable(): boolean {
  return (
    prerequisite(
      executable(KAMAILIO)
        ? undefined
        : `kamailio (${KAMAILIO}) is missing: apt-get install -y kamailio kamailio-extra-modules kamailio-utils-modules`,
    ) === undefined
  );
}

/** Whether Kamailio's TLS module is installed, with the same CI rule as sipToolsAvailable. */
export function tlsModuleAvailable(): boolean {
  return (
    prerequisite(
      existsSync(TLS_MODULE)
        ? undefined
        : `TLS tests need ${TLS_MODULE}: apt-get install -y kamailio-tls-modules`,
    ) === undefined
  );
}
