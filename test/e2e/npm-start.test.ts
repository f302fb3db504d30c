// `npm start` the way a newcomer runs it: the whole bridge on one machine, then the README's four
// calls with `npm run call`, the sidebar page in Chromium, and Ctrl+C (SIGINT to the process group)
// leaving no process and no port behind. Every port is moved into this suite's block
// (test/sip/harness/ports.ts) so a developer's own `npm start` on the defaults is untouched.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '@sip-bridge/contract/calls';
import { prerequisite } from '../../scripts/lib/ci.mjs';
import { chromiumMissing, launchChromium } from '../app/chromium';
import { PORT_BLOCKS } from '../sip/harness/ports';
import { sipToolsAvailable } from '../sip/harness/tools';
import {
  ADA_LOVELACE_ID,
  ALEX_RIVERA_ID,
  FIRST_NEW_TICKET_ID,
  OPEN_TICKET_ID,
  SAM_RIVERA_ID,
} from '@sip-bridge/zendesk-standin/seed';

const ROOT = new URL('../..', import.meta.url).pathname;
// npm start's defaults moved into this suite's block, keeping their last two digits.
const BLOCK = PORT_BLOCKS.npmStart;
const PORTS = {
  SIP_PORT: BLOCK + 60,
  KAMAILIO_RPC_PORT: BLOCK + 80,
  UAS_PORT: BLOCK + 70,
  EDGE_AGENT_PORT: BLOCK + 90,
  WORKER_PORT: BLOCK + 87,
  ZENDESK_STANDIN_PORT: BLOCK + 88,
  HARNESS_PORT: BLOCK + 73,
} as const;
/** UDP as well as TCP: Kamailio's SIP listener and the sipp UAS. */
const UDP_PORTS: number[] = [PORTS.SIP_PORT, PORTS.UAS_PORT];
const STARTUP_MS = 120_000;
const CALL_MS = 30_000;
/** A call test: npm run call, bounded by CALL_MS, then a look at the export. */
const CALL_TEST_MS = CALL_MS + 10_000;
const STOP_MS = 15_000;
const WORKER = `http://127.0.0.1:${PORTS.WORKER_PORT}`;
const HARNESS = `http://127.0.0.1:${PORTS.HARNESS_PORT}`;
const DEV_VARS = join(ROOT, 'worker', '.dev.vars');
const KAMAILIO_PID = join(ROOT, '.run', 'kamailio-run', 'kamailio.pid');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `read()`, or `fallback` when it throws (a process or file that went away meanwhile). */
function orElse<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * Why this suite cannot run here, or undefined. A missing tool (or a state in which npm start
 * would harm this checkout) fails under CI and skips with a message elsewhere.
 */
function cannotRun(): string | undefined {
  if (!sipToolsAvailable()) return 'no SIP tools';
  const reasons: string[] = [];
  // npm start runs `npm ci` when node_modules is not stamped with package-lock.json's hash: that
  // would replace node_modules under this very vitest run.
  const stamp = join(ROOT, 'node_modules', '.cache', 'sip-bridge', 'lock.sha256');
  const lock = createHash('sha256')
    .update(readFileSync(join(ROOT, 'package-lock.json')))
    .digest('hex');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lock)
    reasons.push(
      'node_modules is not stamped as installed from package-lock.json, so npm start would run npm ci under this test: run `npm start` or `npm test` once first',
    );
  // Every npm start of this checkout shares .run (it wipes .run/worker-state): a running one
  // would lose its local D1.
  const pid = existsSync(KAMAILIO_PID) ? Number(readFileSync(KAMAILIO_PID, 'utf8').trim()) : 0;
  if (pid && stat(pid)?.comm === 'kamailio')
    reasons.push(
      `another npm start of this checkout is running (Kamailio pid ${pid}); stop it first, both would share .run`,
    );
  return prerequisite(reasons.length ? `npm start e2e: ${reasons.join('; ')}` : undefined);
}

// ---- processes and sockets, from /proc ----

interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  start: string;
}

function stat(pid: number): ProcStat | undefined {
  const text = orElse(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  if (!text) return undefined;
  // "pid (comm) state ppid pgrp session tty tpgid flags ... starttime(22)"; comm may hold spaces.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    start: fields[19] ?? '',
  };
}

/** `root` and every process below it. */
function processTree(root: number): ProcStat[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter((p): p is ProcStat => p !== undefined);
  const tree = new Map<number, ProcStat>();
  const self = all.find((p) => p.pid === root);
  if (self) tree.set(root, self);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.set(p.pid, p);
        grew = true;
      }
  }
  return [...tree.values()];
}

/** Still running: the same process (same start time) and not a zombie. */
const alive = (p: ProcStat) => {
  const now = stat(p.pid);
  return now !== undefined && now.start === p.start && now.state !== 'Z';
};

interface BoundSocket {
  inode: string;
  proto: 'tcp' | 'udp';
  address: string;
  port: number;
  owner: string;
}

/** Listening TCP and bound UDP sockets from /proc/net, by inode. */
function boundSockets(): Map<string, Omit<BoundSocket, 'owner'>> {
  const sockets = new Map<string, Omit<BoundSocket, 'owner'>>();
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const text = orElse(() => readFileSync(`/proc/net/${table}`, 'utf8'), '');
    for (const line of text.trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [hexAddress = '', hexPort = '0'] = (cols[1] ?? '').split(':');
      const inode = cols[9] ?? '0';
      const proto = table.startsWith('tcp') ? 'tcp' : 'udp';
      if (inode === '0' || (proto === 'tcp' && cols[3] !== '0A')) continue; // 0A: LISTEN
      const address =
        hexAddress.length === 8
          ? (hexAddress.match(/../g) ?? [])
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.')
          : `[${hexAddress}]`;
      sockets.set(inode, { inode, proto, address, port: parseInt(hexPort, 16) });
    }
  }
  return sockets;
}

/** The listening or bound sockets the given processes hold. */
function socketsOf(processes: ProcStat[]): BoundSocket[] {
  const bound = boundSockets();
  const held = new Map<string, BoundSocket>();
  for (const p of processes) {
    for (const fd of orElse(() => readdirSync(`/proc/${p.pid}/fd`), [] as string[])) {
      const target = orElse(() => readlinkSync(`/proc/${p.pid}/fd/${fd}`), '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode ? bound.get(inode) : undefined;
      if (socket && !held.has(socket.inode))
        held.set(socket.inode, { ...socket, owner: `${p.comm}[${p.pid}]` });
    }
  }
  return [...held.values()];
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true); // no refusal: something is there
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether 127.0.0.1:`port` is taken for UDP (a bind fails). */
function udpTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(true);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}

async function busyPorts(): Promise<string[]> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(PORTS)) {
    if (await tcpAnswers(port)) busy.push(`${name} tcp/${port}`);
    if (UDP_PORTS.includes(port) && (await udpTaken(port))) busy.push(`${name} udp/${port}`);
  }
  return busy;
}

// ---- the Worker's call records ----

function devVars(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(DEV_VARS, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** Every call record in the Worker's export (a fresh D1: this run's calls only). */
async function exportedCalls(adminToken: string): Promise<CallRecord[]> {
  const calls: CallRecord[] = [];
  let url: string | null = `${WORKER}/v1/reports/calls/export?start_time=0`;
  for (let page = 0; url && page < 20; page++) {
    const res: Response = await fetch(url, {
      headers: { Authorization: `Bearer ${adminToken}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      calls: CallRecord[];
      end_of_stream: boolean;
      after_url: string;
    };
    calls.push(...body.calls);
    url = body.end_of_stream ? null : body.after_url;
  }
  return calls;
}

// ---- npm start and npm run call ----

/** The environment of a newcomer's shell with every port moved (never a real Zendesk account). */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith('VITEST') || key === 'TEST' || key.startsWith('ZENDESK_')) delete env[key];
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  for (const [name, port] of Object.entries(PORTS)) env[name] = String(port);
  return env;
}

interface Call {
  code: number | null;
  stdout: string;
  stderr: string;
  callId: string | undefined;
}

/** `npm run call -- <args>` against the bridge on the moved ports. */
function npmRunCall(args: string[]): Promise<Call> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'call', '--', ...args], {
      cwd: ROOT,
      env: newcomerEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CALL_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      console.log(`npm run call -- ${args.join(' ')}\n${stdout}`);
      const callId = /^ {2}Call-ID (\S+)$/m.exec(stdout)?.[1];
      resolve({ code, stdout, stderr, callId });
    });
  });
}

const skipped = cannotRun();
const noBrowser = skipped ? undefined : chromiumMissing();

describe.skipIf(skipped !== undefined)('npm start: the whole bridge on one machine', () => {
  let start: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let closed: Promise<void>;
  let output = '';
  let adminToken = '';
  let devVarsBefore: string | undefined;
  const calls: Record<'ada' | 'unknown' | 'rivera' | 'denied', Call | undefined> = {
    ada: undefined,
    unknown: undefined,
    rivera: undefined,
    denied: undefined,
  };
  /** What npm start ran, seen while it was up. */
  let seenProcesses: ProcStat[] = [];
  let seenSockets: BoundSocket[] = [];
  const timings: Record<string, number> = {};
  let unknownTicketId = 0;

  const groupAlive = (pgid: number) => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ESRCH');
      return false;
    }
  };
  const tail = () => output.split('\n').slice(-40).join('\n');

  beforeAll(async () => {
    const busy = await busyPorts();
    if (busy.length)
      throw new Error(`ports this test moves npm start to are in use: ${busy.join(', ')}`);
    // npm start keeps worker/.dev.vars' secrets but rewrites ZENDESK_API_TOKEN for the stand-in:
    // put a developer's file back as it was afterwards.
    if (existsSync(DEV_VARS)) devVarsBefore = readFileSync(DEV_VARS, 'utf8');

    const t0 = Date.now();
    start = spawn('npm', ['start'], {
      cwd: ROOT,
      env: newcomerEnv(),
      detached: true, // its own process group, like a shell job: Ctrl+C reaches the whole group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) =>
      start.once('exit', (code, signal) => resolve({ code, signal })),
    );
    closed = new Promise((resolve) => start.once('close', () => resolve()));
    const running = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `npm start did not say it was running within ${STARTUP_MS / 1000} s:\n${tail()}`,
            ),
          ),
        STARTUP_MS,
      );
      const keep = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('SIP bridge is running.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      start.stdout?.on('data', keep);
      start.stderr?.on('data', (chunk: Buffer) => (output += chunk));
      start.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${signal ?? code}) before it was running:\n${tail()}`));
      });
    });
    await running;
    timings.startup = Date.now() - t0;
    adminToken = devVars().ADMIN_TOKEN ?? '';
    expect(adminToken).not.toBe('');
  }, STARTUP_MS + 10_000);

  afterAll(async () => {
    if (start?.pid && start.exitCode === null && start.signalCode === null) {
      if (!seenProcesses.length) seenProcesses = processTree(start.pid);
      try {
        process.kill(-start.pid, 'SIGINT');
      } catch {
        // already gone
      }
      await Promise.race([Promise.all([exited, closed]), sleep(STOP_MS)]);
      const until = Date.now() + 5000;
      while (seenProcesses.some(alive) && Date.now() < until) await sleep(100);
    }
    // Whatever is still running, by group (npm start puts each part in a group of its own).
    const groups = new Set([start?.pid, ...seenProcesses.filter(alive).map((p) => p.pgid)]);
    for (const pgid of groups)
      if (pgid)
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
    if (devVarsBefore !== undefined && readFileSync(DEV_VARS, 'utf8') !== devVarsBefore)
      writeFileSync(DEV_VARS, devVarsBefore);
    console.log(
      `npm start e2e timings (ms): ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }, STOP_MS + 10_000);

  it('prints where everything runs, on the moved ports', () => {
    expect(output).toContain(`Worker API       ${WORKER}`);
    expect(output).toContain(`Kamailio (SIP)   udp/tcp 127.0.0.1:${PORTS.SIP_PORT}`);
    expect(output).toContain(`JSON-RPC on 127.0.0.1:${PORTS.KAMAILIO_RPC_PORT}`);
    expect(output).toContain(`sipp UAS on 127.0.0.1:${PORTS.UAS_PORT}`);
    expect(output).toContain(`http://127.0.0.1:${PORTS.EDGE_AGENT_PORT}/health`);
    expect(output).toContain(`http://127.0.0.1:${PORTS.ZENDESK_STANDIN_PORT}   (stand-in`);
    expect(output).toContain(`${HARNESS}/?ticket=${OPEN_TICKET_ID}`);
    expect(output).toContain(
      `npx sipbridge status --dir .run/kamailio --rpc http://127.0.0.1:${PORTS.KAMAILIO_RPC_PORT}/RPC --agent http://127.0.0.1:${PORTS.EDGE_AGENT_PORT}`,
    );
  });

  it('answers the operator CLI as printed: the demo line, its ACL synced from the Worker', async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>(
      (resolve, reject) => {
        const child = spawn(
          'npx',
          [
            'sipbridge',
            'status',
            '--json',
            '--dir',
            '.run/kamailio',
            '--rpc',
            `http://127.0.0.1:${PORTS.KAMAILIO_RPC_PORT}/RPC`,
            '--agent',
            `http://127.0.0.1:${PORTS.EDGE_AGENT_PORT}`,
          ],
          { cwd: ROOT, env: newcomerEnv(), stdio: ['ignore', 'pipe', 'inherit'], timeout: 30_000 },
        );
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.once('error', reject);
        child.once('close', (exit) => resolve({ stdout: out, code: exit }));
      },
    );
    expect(code, stdout).toBe(0);
    const status = JSON.parse(stdout);
    expect(status).toMatchObject({
      status: 'ok',
      kamailio: { reachable: true, version: expect.stringMatching(/^kamailio 5\./) },
      lines: [{ line: 'demo', acl_entries: 1 }],
      agent: { reachable: true, spool_depth: 0, acl_sync: { enabled: true, entries: 1 } },
    });
  }, 40_000);

  it(
    'Ada, a known caller passing her open ticket: matched, ticket verified and passed on',
    async () => {
      const t0 = Date.now();
      const call = (calls.ada = await npmRunCall([
        '--from',
        '+14155550100',
        '--ticket',
        String(OPEN_TICKET_ID),
        '--hold',
        '1',
      ]));
      timings.callAda = Date.now() - t0;
      expect(call.code).toBe(0);
      expect(call.stdout).toMatch(
        /At the caller\n {2}200 OK \(after \d+ ms\), talked \d+ s, hung up, BYE answered 200 OK/,
      );
      expect(call.stdout).toContain(
        'Action       relay (line "demo", source 127.0.0.1, ACL 127.0.0.1/32)',
      );
      expect(call.stdout).toContain(
        `+14155550100: matched Ada Lovelace (Zendesk user ${ADA_LOVELACE_ID})`,
      );
      expect(call.stdout).toMatch(
        new RegExp(
          `Ticket {7}#${OPEN_TICKET_ID} ".+": the X-Zendesk-Ticket-Id the caller sent, verified open in Zendesk`,
        ),
      );
      expect(call.stdout).toContain(`X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}`);
      expect(call.stdout).toContain(`summary posted to ticket #${OPEN_TICKET_ID}`);
      expect(call.stdout).toContain(
        `See it in the sidebar: ${HARNESS}/?ticket=${OPEN_TICKET_ID}\n`,
      );

      const record = (await exportedCalls(adminToken)).find((c) => c.call_id === call.callId);
      expect(record).toMatchObject({
        line: 'demo',
        status: 'completed',
        // The agent names the ACL entry it synced from the Worker.
        source: { ip: '127.0.0.1', transport: 'udp', acl_entry: '127.0.0.1/32' },
        caller: { e164: '+14155550100', match: 'matched', user_id: ADA_LOVELACE_ID },
        ticket: { id: OPEN_TICKET_ID, link: 'passed', passed_id: String(OPEN_TICKET_ID) },
        decision: { action: 'relay', degraded: [] },
        final: { code: 200, ended_by: 'caller' },
        summary_status: 'posted',
      });
    },
    CALL_TEST_MS,
  );

  it(
    'an unknown caller without a ticket: no match, the demo line creates the ticket',
    async () => {
      const t0 = Date.now();
      const call = (calls.unknown = await npmRunCall(['--from', '(202) 555-0143', '--hold', '0']));
      timings.callUnknown = Date.now() - t0;
      expect(call.code).toBe(0);
      expect(call.stdout).toMatch(/At the caller\n {2}200 OK /);
      expect(call.stdout).toContain('+12025550143: no Zendesk user has this number');
      const created = /Ticket {7}#(\d+) ".*": a new ticket the bridge created for this call/.exec(
        call.stdout,
      );
      expect(created).not.toBeNull();
      const ticketId = (unknownTicketId = Number(created?.[1]));
      expect(ticketId).toBeGreaterThanOrEqual(FIRST_NEW_TICKET_ID);
      expect(call.stdout).toContain(`X-Zendesk-Ticket-Id: ${ticketId}`);
      expect(call.stdout).toContain(`See it in the sidebar: ${HARNESS}/?ticket=${ticketId}\n`);

      const record = (await exportedCalls(adminToken)).find((c) => c.call_id === call.callId);
      expect(record).toMatchObject({
        status: 'completed',
        caller: { e164: '+12025550143', match: 'no_match' },
        ticket: { id: ticketId, link: 'created', passed_id: null },
        decision: { action: 'relay' },
      });
    },
    CALL_TEST_MS,
  );

  it(
    'the shared family number: ambiguous, both candidates named, nobody guessed',
    async () => {
      const t0 = Date.now();
      const call = (calls.rivera = await npmRunCall(['--from', '+14155550199', '--hold', '0']));
      timings.callAmbiguous = Date.now() - t0;
      expect(call.code).toBe(0);
      expect(call.stdout).toMatch(/At the caller\n {2}200 OK /);
      expect(call.stdout).toContain('+14155550199: ambiguous: 2 users share this number');
      expect(call.stdout).toContain(`Sam Rivera (${SAM_RIVERA_ID})`);
      expect(call.stdout).toContain(`Alex Rivera (${ALEX_RIVERA_ID})`);
      expect(call.stdout).toContain('a new ticket the bridge created for this call');

      const record = (await exportedCalls(adminToken)).find((c) => c.call_id === call.callId);
      expect(record).toMatchObject({
        status: 'completed',
        caller: { e164: '+14155550199', match: 'ambiguous', user_id: null },
        ticket: { link: 'created' },
        decision: { action: 'relay' },
      });
      expect(record?.caller.candidates.map((c) => c.id).sort()).toEqual(
        [SAM_RIVERA_ID, ALEX_RIVERA_ID].sort(),
      );
      expect(record?.ticket.id).not.toBe(OPEN_TICKET_ID);
      expect(record?.ticket.id).not.toBe(unknownTicketId);
    },
    CALL_TEST_MS,
  );

  it(
    'a source outside the allowlist: 403 from Kamailio, no call record, nothing relayed',
    async () => {
      const t0 = Date.now();
      const call = (calls.denied = await npmRunCall([
        '--from',
        '+14155550100',
        '--source',
        '127.0.0.2',
      ]));
      timings.callDenied = Date.now() - t0;
      expect(call.code).toBe(0);
      expect(call.stdout).toMatch(/At the caller\n {2}403 Forbidden/);
      expect(call.callId).toMatch(/@127\.0\.0\.2$/);
      expect(call.stdout).toContain('none: Kamailio refused the source address itself');
      expect(call.stdout).toContain('nothing: the call was not relayed');

      const records = await exportedCalls(adminToken);
      expect(records.find((c) => c.call_id === call.callId)).toBeUndefined();
      // Exactly the three relayed calls above, nothing else.
      expect(records.map((c) => c.call_id).sort()).toEqual(
        [calls.ada?.callId, calls.unknown?.callId, calls.rivera?.callId].sort(),
      );
    },
    CALL_TEST_MS,
  );

  it.skipIf(noBrowser !== undefined)(
    "the sidebar page for ticket 1001 shows Ada's call",
    async () => {
      const adaCallId = calls.ada?.callId;
      expect(adaCallId).toBeDefined();
      const t0 = Date.now();
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${HARNESS}/?ticket=${OPEN_TICKET_ID}`, { timeout: 15_000 });
        const frame = await (
          await page.waitForSelector('#app', { timeout: 15_000 })
        ).contentFrame();
        if (!frame) throw new Error('the app iframe has no frame');
        const card = frame.locator(`article[data-call-id="${adaCallId}"]`);
        await card.waitFor({ timeout: 15_000 });
        await expect
          .poll(() => card.locator('[data-part="caller"]').innerText(), { timeout: 15_000 })
          .toContain('Ada Lovelace');
        expect(await card.locator('[data-part="caller"]').getAttribute('data-match')).toBe(
          'matched',
        );
        expect(await card.locator('[data-part="final-status"]').innerText()).toContain('200');
        // Only calls linked to ticket 1001: Ada's.
        expect(await frame.locator('article[data-call-id]').count()).toBe(1);
      } finally {
        await browser.close();
      }
      timings.sidebar = Date.now() - t0;
    },
    60_000,
  );

  it(
    'Ctrl+C stops everything: the group exits in time, no process and no port left',
    async () => {
      const pid = start.pid;
      if (pid === undefined) throw new Error('npm start has no pid');
      seenProcesses = processTree(pid);
      seenSockets = socketsOf(seenProcesses);
      const comms = new Set(seenProcesses.map((p) => p.comm));
      for (const part of ['node', 'kamailio', 'sipp', 'workerd']) expect(comms).toContain(part);
      const listened = (proto: string, port: number) =>
        seenSockets.some((s) => s.proto === proto && s.port === port);
      for (const [name, port] of Object.entries(PORTS)) {
        // The sipp UAS listens on UDP only; Kamailio's SIP port on both.
        if (port !== PORTS.UAS_PORT) expect(listened('tcp', port), `${name} tcp`).toBe(true);
        if (UDP_PORTS.includes(port)) expect(listened('udp', port), `${name} udp`).toBe(true);
      }

      const t0 = Date.now();
      process.kill(-pid, 'SIGINT');
      const deadline = t0 + STOP_MS;
      const within = <T>(what: string, promise: Promise<T>) =>
        Promise.race([
          promise,
          sleep(deadline - Date.now()).then(() => {
            throw new Error(`${what} within ${STOP_MS / 1000} s of SIGINT:\n${tail()}`);
          }),
        ]);
      const result = await within('npm did not exit', exited);
      timings.npmExit = Date.now() - t0;
      // npm returns at once; scripts/start.mjs goes on stopping its parts and exits last, closing
      // the output it shares with npm.
      await within('scripts/start.mjs did not exit', closed);
      timings.startExit = Date.now() - t0;
      console.log(
        `npm exited (${result.signal ?? result.code}) ${timings.npmExit} ms after SIGINT, scripts/start.mjs ${timings.startExit} ms`,
      );

      // Every process it started, in every group, is gone (each part runs in a group of its own).
      const left = () => Math.max(1, deadline - Date.now());
      await expect
        .poll(() => seenProcesses.filter(alive).map((p) => `${p.comm}[${p.pid}]`), {
          timeout: left(),
          interval: 100,
        })
        .toEqual([]);
      timings.allGone = Date.now() - t0;
      for (const pgid of new Set(seenProcesses.map((p) => p.pgid))) {
        await expect
          .poll(() => groupAlive(pgid), {
            timeout: left(),
            interval: 100,
            message: `process group ${pgid} still has members`,
          })
          .toBe(false);
      }
      // No socket it had is open any more (by inode: whoever else binds the same numbers since)...
      const stillBound = boundSockets();
      expect(
        seenSockets
          .filter((s) => stillBound.has(s.inode))
          .map((s) => `${s.owner} ${s.proto} ${s.address}:${s.port}`),
      ).toEqual([]);
      // ...and its own ports refuse connections and can be bound again.
      expect(await busyPorts()).toEqual([]);
    },
    STOP_MS + 20_000,
  );
});
