// `npm run call -- --from <number> [--ticket <id>] [--line <slug>] [--hold <seconds>] [--source <ip>]`:
// places one real SIP call through the bridge `npm start` runs (Kamailio → edge agent → Worker →
// the sipp UAS standing in for Zendesk), then tells what happened at each step.
// Runs with tsx: it reuses the SIP test harness (test/sip/harness/sipp.ts) and its uac-call scenario.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { G711_OFFER, parseMessageLog, renderScenario } from '../test/sip/harness/sipp.ts';
import { ROOT } from './lib/bootstrap.mjs';

const USAGE = `Usage: npm run call -- --from <number> [--ticket <id>] [--line <slug>] [--hold <seconds>] [--source <ip>]

  --from     the caller's number, in any format: +14155550100, "(415) 555-0100"
  --ticket   sends X-Zendesk-Ticket-Id: <id> (the bridge verifies it before passing it on)
  --line     calls from a loopback address in that line's allowlist (the edge picks lines by source)
  --hold     seconds to stay on the line after the answer (default 3)
  --source   the local address to call from (default 127.0.0.1; 127.0.0.2 is not allowed: 403)

Try: npm run call -- --from +14155550100 --ticket 1001`;

const port = (name, fallback) => Number(process.env[name] ?? fallback);
const ports = {
  sip: port('SIP_PORT', 5060),
  agent: port('EDGE_AGENT_PORT', 8090),
  worker: port('WORKER_PORT', 8787),
  standin: port('ZENDESK_STANDIN_PORT', 8788),
  harness: port('HARNESS_PORT', 5173),
};
const workerUrl = `http://127.0.0.1:${ports.worker}`;
const UAS_LOG = join(ROOT, '.run', 'uas-messages.log');
const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
/** The caller in the scenario, replaced by --from. */
const SCENARIO_FROM = '"Ada" <sip:+14155550100@';

function fail(message) {
  console.error(`✖ ${message}`);
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        from: { type: 'string' },
        ticket: { type: 'string' },
        line: { type: 'string' },
        hold: { type: 'string', default: '3' },
        source: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail(`${err.message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.from?.trim()) fail(`--from is required\n\n${USAGE}`);
  const hold = Number(values.hold);
  if (!Number.isFinite(hold) || hold < 0 || hold > 600)
    fail('--hold takes seconds between 0 and 600');
  // Anything sipp would read as a [keyword] or that would end the CDATA block is refused.
  if (values.ticket !== undefined && !/^[A-Za-z0-9._~+-]{1,64}$/.test(values.ticket))
    fail('--ticket takes an id like 1001');
  if (values.source !== undefined && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(values.source))
    fail('--source takes a loopback IPv4 address such as 127.0.0.2');
  return { ...values, from: values.from.trim(), hold };
}

/** worker/.dev.vars as an object (written by npm start). */
function devVars() {
  const file = join(ROOT, 'worker', '.dev.vars');
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function getJson(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(3000) });
  if (!res.ok)
    throw Object.assign(new Error(`${url} answered ${res.status}`), { status: res.status });
  return res.json();
}

/** The --line option: a loopback address from the line's allowlist. */
async function sourceForLine(slug, adminToken) {
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
async function placeCall({ from, ticket, hold, source }) {
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

const isFinal = (m) => m.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d /.test(m.startLine);
const cseqOf = (m) => m.headers('CSeq')[0] ?? '';
const status = (m) => m.startLine.replace(/^SIP\/2\.0 /, '');

/** The caller's side, in words. */
function callerOutcome(messages) {
  const invite = messages.find((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'));
  const final = messages.find((m) => isFinal(m) && cseqOf(m).endsWith('INVITE'));
  if (!invite) return { text: 'sipp sent no INVITE' };
  if (!final) return { text: 'no final answer to the INVITE (timed out)' };
  const after = `after ${final.at - invite.at} ms`;
  if (!final.startLine.startsWith('SIP/2.0 200')) return { text: `${status(final)} (${after})` };
  const bye = messages.find((m) => m.direction === 'sent' && m.startLine.startsWith('BYE'));
  const byeOk = messages.find((m) => isFinal(m) && cseqOf(m).endsWith('BYE'));
  const talked = bye ? `talked ${Math.round((bye.at - final.at) / 1000)} s` : 'no BYE sent';
  const hangup = byeOk ? `hung up, BYE answered ${status(byeOk)}` : 'BYE not answered';
  return { text: `${status(final)} (${after}), ${talked}, ${hangup}`, answered: true };
}

/** Every state of this call in the Worker's export since `since` (Unix s); the newest wins. */
async function callRecord(callId, since, adminToken) {
  let url = `${workerUrl}/v1/reports/calls/export?start_time=${since}`;
  let found;
  for (let page = 0; page < 20 && url; page++) {
    const body = await getJson(url, { Authorization: `Bearer ${adminToken}` });
    for (const call of body.calls) if (call.call_id === callId) found = call;
    url = body.end_of_stream ? null : body.after_url;
  }
  return found;
}

/** Polls the export until `done(record)` or the deadline; returns the last record seen. */
async function waitForRecord(callId, since, adminToken, done, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let record;
  while (Date.now() < until) {
    try {
      record = (await callRecord(callId, since, adminToken)) ?? record;
    } catch {
      // the Worker is busy; try again
    }
    if (record && done(record)) break;
    await sleep(300);
  }
  return record;
}

/** Best-effort lookups in the Zendesk the Worker uses (the stand-in unless a real account is set). */
function zendeskLookup(vars) {
  const base = process.env.ZENDESK_SUBDOMAIN
    ? `https://${process.env.ZENDESK_SUBDOMAIN}.zendesk.com`
    : `http://127.0.0.1:${ports.standin}`;
  const email = process.env.ZENDESK_EMAIL ?? 'bridge@example.com';
  const auth = `Basic ${Buffer.from(`${email}/token:${vars.ZENDESK_API_TOKEN}`).toString('base64')}`;
  return async (path) => {
    try {
      return await getJson(`${base}/api/v2/${path}`, { Authorization: auth });
    } catch {
      return undefined;
    }
  };
}

const MATCH = {
  no_match: 'no Zendesk user has this number',
  withheld: 'the number is withheld, so nobody to look up',
  unavailable: 'Zendesk could not be asked in time (the call went on without a match)',
};
const LINK = {
  passed: 'the X-Zendesk-Ticket-Id the caller sent, verified open in Zendesk',
  passed_unverified: 'passed on unverified (Zendesk could not be asked in time)',
  created: 'a new ticket the bridge created for this call',
  dropped: 'the caller sent an id the bridge dropped (no such ticket, or closed)',
  none: 'no ticket linked',
};

async function describeDecision(record, zendesk) {
  const { caller, ticket, decision } = record;
  let match = MATCH[caller.match] ?? caller.match;
  if (caller.match === 'matched') {
    const user = (await zendesk(`users/${caller.user_id}.json`))?.user;
    match = `matched ${user?.name ?? 'user'} (Zendesk user ${caller.user_id})`;
  } else if (caller.match === 'ambiguous') {
    const names = caller.candidates.map((c) => `${c.name} (${c.id})`).join(', ');
    match = `ambiguous: ${caller.candidates.length} users share this number (${names}); the bridge never guesses, the agent picks in the sidebar`;
  }
  let link = LINK[ticket.link] ?? ticket.link;
  if (ticket.id !== null) {
    const subject = (await zendesk(`tickets/${ticket.id}.json`))?.ticket?.subject;
    link = `#${ticket.id}${subject ? ` "${subject}"` : ''}: ${link}`;
  }
  if (ticket.passed_id && !ticket.link.startsWith('passed') && ticket.link !== 'dropped')
    link += `; the X-Zendesk-Ticket-Id sent (${ticket.passed_id}) was not an open ticket`;
  else if (ticket.passed_id && ticket.link === 'dropped') link += ` (sent: ${ticket.passed_id})`;
  const action =
    decision.action === 'reject'
      ? `reject with ${decision.code} ${decision.reason ?? ''}`.trim()
      : decision.action;
  return [
    `  Action       ${action} (line "${record.line}", source ${record.source.ip}${record.source.acl_entry ? `, ACL ${record.source.acl_entry}` : ''})`,
    `  Caller       ${caller.e164 ?? `${caller.kind} (${record.sip.from})`}: ${match}`,
    `  Ticket       ${link}`,
    `  Degraded     ${decision.degraded.length ? decision.degraded.join(', ') : 'none (every step answered in time)'}`,
  ].join('\n');
}

/** What the UAS ("Zendesk's SIP-IN line") received for this Call-ID. */
async function reachedZendesk(callId) {
  for (let i = 0; i < 15; i++) {
    const log = existsSync(UAS_LOG) ? readFileSync(UAS_LOG, 'utf8') : '';
    const invite = log.includes(callId)
      ? parseMessageLog(log).find(
          (m) =>
            m.direction === 'received' &&
            m.startLine.startsWith('INVITE') &&
            m.headers('Call-ID')[0] === callId,
        )
      : undefined;
    if (invite) {
      const xHeaders = invite.text
        .split('\n\n')[0]
        .split('\n')
        .filter((l) => /^X-/i.test(l));
      const media = invite.body.split('\n').filter((l) => l.startsWith('m='));
      return [
        `  ${invite.startLine}`,
        `  X-Zendesk-Ticket-Id: ${invite.headers('X-Zendesk-Ticket-Id').join(', ') || '(none)'}`,
        ...xHeaders.filter((l) => !/^X-Zendesk-Ticket-Id:/i.test(l)).map((l) => `  ${l}`),
        ...media.map((l) => `  SDP ${l}`),
      ].join('\n');
    }
    await sleep(200);
  }
  return '  nothing: the INVITE never reached the UAS';
}

function describeRecord(record) {
  const parts = [record.status];
  if (record.duration_s !== null) parts.push(`talked ${record.duration_s} s (rounded up)`);
  if (record.final.ended_by) parts.push(`ended by the ${record.final.ended_by}`);
  if (record.status !== 'completed' && record.final.code)
    parts.push(`SIP ${record.final.code} ${record.final.reason ?? ''}`.trimEnd());
  const cost = record.cost.usd === null ? 'no cost' : `cost $${record.cost.usd}`;
  const summary =
    record.summary_status === 'posted'
      ? `summary posted to ticket #${record.ticket.id} as a private note`
      : `summary ${record.summary_status}`;
  return `  ${parts.join(', ')}; ${cost}; ${summary}`;
}

async function main() {
  const options = parseOptions();
  const vars = devVars();
  const down = [];
  if (!(await answers(`http://127.0.0.1:${ports.agent}/health`)))
    down.push(`edge agent 127.0.0.1:${ports.agent}`);
  if (!(await answers(`${workerUrl}/health`))) down.push(`Worker 127.0.0.1:${ports.worker}`);
  if (down.length)
    fail(`No answer from the ${down.join(' or the ')}: start the bridge with npm start first.`);
  if (!vars.ADMIN_TOKEN)
    fail('worker/.dev.vars has no ADMIN_TOKEN: start the bridge with npm start first.');
  if (!existsSync(SIPP))
    fail(`${SIPP} not found: apt-get install -y sip-tester (npm start does this as root)`);

  const source =
    options.source ??
    (options.line ? await sourceForLine(options.line, vars.ADMIN_TOKEN) : '127.0.0.1');
  const since = Math.floor(Date.now() / 1000) - 5;
  console.log(
    `Calling sip:zendesk@127.0.0.1:${ports.sip} (Kamailio) from ${options.from}, source ${source}, UDP` +
      `${options.ticket ? `, X-Zendesk-Ticket-Id: ${options.ticket}` : ''}, holding ${options.hold} s…\n`,
  );
  let call;
  try {
    call = await placeCall({ ...options, source });
  } catch (err) {
    fail(`sipp could not place the call: ${err.message}`);
  }
  const outcome = callerOutcome(call.messages);
  console.log(`At the caller\n  ${outcome.text}`);
  const invite = call.messages.find(
    (m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'),
  );
  const callId = invite?.headers('Call-ID')[0];
  if (!callId || !call.messages.some(isFinal)) {
    console.log(
      `\nsipp said (exit ${call.code}):\n${call.output.trim().split('\n').slice(-15).join('\n')}`,
    );
    process.exit(1);
  }
  console.log(`  Call-ID ${callId}`);

  const terminal = (r) =>
    !['ringing', 'answered'].includes(r.status) &&
    !['pending', 'posting'].includes(r.summary_status);
  const record = await waitForRecord(
    callId,
    since,
    vars.ADMIN_TOKEN,
    outcome.answered ? terminal : () => true,
    outcome.answered ? 10_000 : 3_000,
  );
  const zendesk = zendeskLookup(vars);
  console.log('\nThe decision (Worker call record)');
  if (record) console.log(await describeDecision(record, zendesk));
  else
    console.log(
      outcome.text.startsWith('403')
        ? "  none: Kamailio refused the source address itself (not in any line's allowlist), before asking the agent or the Worker"
        : '  no call record for this Call-ID (yet)',
    );

  console.log('\nWhat reached "Zendesk" (the sipp UAS, .run/uas-messages.log)');
  console.log(
    outcome.answered || record?.decision.action === 'relay'
      ? await reachedZendesk(callId)
      : '  nothing: the call was not relayed',
  );

  if (record) {
    console.log('\nThe call record after the call');
    console.log(describeRecord(record));
    if (record.ticket.id !== null) {
      const page = `http://127.0.0.1:${ports.harness}/?ticket=${record.ticket.id}`;
      const up = await answers(`http://127.0.0.1:${ports.harness}/`);
      console.log(
        `\nSee it in the sidebar: ${page}${up ? '' : '  (the harness page is not running)'}`,
      );
    }
  }
}

await main();
