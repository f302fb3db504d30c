// Placing the call for `npm run call`: the caller's source address, and one sipp run of the SIP
// suites' uac-call scenario (test/sip/scenarios/uac-call.xml, filled by test/sip/harness/sipp.ts)
// against Kamailio.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { G711_OFFER, parseMessageLog, renderScenario } from '../../../test/sip/harness/sipp.ts';
import { fail, getJson, ports, workerUrl } from './bridge.mjs';

export const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
/** The caller in the scenario, replaced by --from. */
const SCENARIO_FROM = '"Ada" <sip:+14155550100@';

/** The --line option: a loopback address from the line's allowlist. */
export async function sourceForLine(slug, adminToken) {
  let line;
  try {
    ({ line } = await getJson(`${workerUrl}/v1/admin/lines/${encodeURIComponent(slug)}`, {
      Authorization: `Bearer ${adminToken}`,
    }));
  } catch (err) {
    fail(err.status === 404 ? `no line "${slug}" in the Worker` : err.message);
  }
  const entry = line.acl.find((a) => /^127\.\d+\.\d+\.\d+(\/32)?$/.test(a.cidr));
  if (!entry)
    fail(
      `line "${slug}" allows no single loopback address (${line.acl.map((a) => a.cidr).join(', ') || 'empty allowlist'}); the edge picks a line by the caller's source address`,
    );
  return entry.cidr.replace('/32', '');
}

/** A UDP port free on `ip` a moment ago, for sipp's signalling. */
async function freeUdpPort(ip) {
  const socket = createSocket('udp4');
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, ip, resolve);
  });
  const { port: free } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return free;
}

/** Encodes a number for a SIP URI user part: spaces and the like escaped, `+ ( ) -` kept. */
const sipUser = (number) => encodeURIComponent(number).replaceAll('%2B', '+');

/** Runs the filled uac-call scenario once; resolves with sipp's exit code and its messages. */
export async function placeCall({ from, ticket, hold, source }) {
  const work = mkdtempSync(join(tmpdir(), 'sip-bridge-call-'));
  try {
    const scenario = renderScenario('uac-call', {
      HEADERS: ticket ? `      X-Zendesk-Ticket-Id: ${ticket}` : '',
      SDP: G711_OFFER,
      HOLD_MS: String(Math.round(hold * 1000)),
      RURI: 'sip:zendesk@[remote_ip]:[remote_port]',
    });
    if (!scenario.includes(SCENARIO_FROM))
      throw new Error(`test/sip/scenarios/uac-call.xml no longer has From: ${SCENARIO_FROM}`);
    const file = join(work, 'uac-call.xml');
    writeFileSync(file, scenario.replace(SCENARIO_FROM, `"Demo caller" <sip:${sipUser(from)}@`));
    const localPort = await freeUdpPort(source);
    const timeoutS = Math.ceil(hold) + 15;
    const messageFile = join(work, 'messages.log');
    const args = [
      '-sf', file,
      '-i', source,
      '-p', String(localPort),
      '-mp', String(30000 + (localPort % 4000) * 8),
      '-m', '1',
      '-cid_str', `call-${randomBytes(6).toString('hex')}-%u@%s`,
      '-t', 'u1',
      '-trace_msg', '-message_file', messageFile,
      '-nostdin',
      '-aa', // answers the proxy's in-dialog keepalive OPTIONS on long calls
      '-timeout', `${timeoutS}s`, '-timeout_error',
      '-recv_timeout', '8000',
      `127.0.0.1:${ports.sip}`,
    ]; // prettier-ignore
    const child = spawn(SIPP, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d) => (output = (output + d).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 5) * 1000);
    const code = await new Promise((resolve) => {
      child.on('error', (err) => resolve(err.message));
      child.on('close', resolve);
    });
    clearTimeout(killer);
    const messages = existsSync(messageFile)
      ? parseMessageLog(readFileSync(messageFile, 'utf8'))
      : [];
    return { code, messages, output };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
