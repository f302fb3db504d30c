// The bridge `npm start` runs, as `npm run call` reaches it: its ports (moved by the same
// environment variables npm start reads), the secrets it wrote to worker/.dev.vars, small HTTP helpers.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../bootstrap.mjs';

const port = (name, fallback) => Number(process.env[name] ?? fallback);
export const ports = {
  sip: port('SIP_PORT', 5060),
  agent: port('EDGE_AGENT_PORT', 8090),
  worker: port('WORKER_PORT', 8787),
  standin: port('ZENDESK_STANDIN_PORT', 8788),
  harness: port('HARNESS_PORT', 5173),
};
export const workerUrl = `http://127.0.0.1:${ports.worker}`;
/** Every SIP message the sipp UAS standing in for Zendesk's SIP-IN line received. */
export const UAS_LOG = join(ROOT, '.run', 'uas-messages.log');

/** Says what went wrong and ends `npm run call` with exit code 1. */
export function fail(message) {
  console.error(`✖ ${message}`);
  process.exit(1);
}

/** worker/.dev.vars as an object (written by npm start). */
export function devVars() {
  const file = join(ROOT, 'worker', '.dev.vars');
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** True when something answers HTTP at `url` within 2 s, whatever the status. */
export async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** GETs JSON; a status other than 2xx throws an error carrying `status`. */
export async function getJson(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(3000) });
  if (!res.ok)
    throw Object.assign(new Error(`${url} answered ${res.status}`), { status: res.status });
  return res.json();
}
