import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopGroup } from './edge';
import { sippMediaPort } from './ports';
import { KEEP, SIPP } from './tools';

const SCENARIOS = new URL('../scenarios/', import.meta.url).pathname;

/** A G.711 offer with DTMF events, what a carrier or AI agent normally sends. */
export const G711_OFFER = [
  'v=0',
  'o=caller 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
].join('\n');

export function offer(transport: string, codecs: [number, string][]): string {
  return [
    'v=0',
    'o=caller 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio 6000 ${transport} ${codecs.map(([pt]) => pt).join(' ')}`,
    ...codecs.map(([pt, name]) => `a=rtpmap:${pt} ${name}/8000`),
  ].join('\n');
}

export interface SipMessage {
  direction: 'sent' | 'received';
  /** When sipp logged it (ms since the epoch, local clock). */
  at: number;
  text: string;
  /** First line: `INVITE sip:... SIP/2.0` or `SIP/2.0 403 Forbidden`. */
  startLine: string;
  /** All values of a header (case-insensitive name). */
  headers(name: string): string[];
  body: string;
}

export interface SippResult {
  code: number | null;
  messages: SipMessage[];
  elapsedMs: number;
  output: string;
}

/** Fills `{{NAME}}` in a scenario; a variable that is empty and alone on its line drops the line. */
export function renderScenario(name: string, vars: Record<string, string>): string {
  let text = readFileSync(join(SCENARIOS, `${name}.xml`), 'utf8');
  for (const [key, value] of Object.entries(vars)) {
    if (value === '') text = text.replace(new RegExp(`^[ \\t]*\\{\\{${key}\\}\\}\\n`, 'gm'), '');
    text = text.split(`{{${key}}}`).join(value);
  }
  const left = /\{\{([A-Z_]+)\}\}/.exec(text);
  if (left) throw new Error(`scenario ${name}: no value for {{${left[1]}}}`);
  return text;
}

export interface SippOptions {
  scenario: string;
  vars?: Record<string, string>;
  /** Local address and port sipp binds (127.0.0.x only). */
  ip: string;
  port: number;
  /** Remote `host:port` for a UAC. */
  remote?: string;
  /** Calls before sipp exits (UAS: calls it serves). */
  calls?: number;
  transport?: 'u1' | 't1';
  timeoutS?: number;
  /** Longest wait for an expected message (default: timeoutS, at most 8 s). */
  recvTimeoutMs?: number;
  /** -aa: answer unexpected OPTIONS, INFO, NOTIFY and UPDATE with 200 (keepalives). */
  autoAnswer?: boolean;
}

/** Starts sipp; `done` resolves when it exits (by itself, or killed at the timeout). */
export function startSipp(options: SippOptions): {
  done: Promise<SippResult>;
  stop(): Promise<void>;
} {
  const work = mkdtempSync(join(tmpdir(), `sipp-${options.scenario}-`));
  const scenarioFile = join(work, `${options.scenario}.xml`);
  writeFileSync(scenarioFile, renderScenario(options.scenario, options.vars ?? {}));
  const messageFile = join(work, 'messages.log');
  const timeoutS = options.timeoutS ?? 10;
  const args = [
    '-sf', scenarioFile,
    '-i', options.ip,
    '-p', String(options.port),
    '-mp', String(sippMediaPort(options.port)),
    '-m', String(options.calls ?? 1),
    '-t', options.transport ?? 'u1',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', join(work, 'errors.log'),
    '-nostdin',
    '-timeout', `${timeoutS}s`, '-timeout_error',
    '-recv_timeout', String(options.recvTimeoutMs ?? Math.min(timeoutS * 1000, 8000)),
    ...(options.autoAnswer ? ['-aa'] : []),
    ...(options.remote ? [options.remote] : []),
  ]; // prettier-ignore
  const started = Date.now();
  const child = spawn(SIPP, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const killer = setTimeout(() => void stopGroup(child), (timeoutS + 5) * 1000);
  const done = new Promise<SippResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      const messages = existsSync(messageFile)
        ? parseMessageLog(readFileSync(messageFile, 'utf8'))
        : [];
      if (!KEEP) rmSync(work, { recursive: true, force: true });
      resolve({ code, messages, elapsedMs: Date.now() - started, output });
    });
  });
  return { done, stop: () => stopGroup(child) };
}

export async function runSipp(options: SippOptions): Promise<SippResult> {
  return startSipp(options).done;
}

/** Splits sipp's -trace_msg file into messages. */
export function parseMessageLog(log: string): SipMessage[] {
  const parts = log.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*$/m).slice(1);
  const blocks: { at: number; block: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    blocks.push({ at: Date.parse(parts[i]!.replace(' ', 'T').slice(0, 23)), block: parts[i + 1]! });
  }
  return blocks.flatMap(({ at, block }) => {
    const m = /^\s*\S+ message (received|sent)[^\n]*\n([\s\S]*)$/.exec(block);
    if (!m) return [];
    const text = m[2]!.replace(/\r\n/g, '\n').replace(/^\n+/, '').replace(/\n+$/, '\n');
    const [head, ...rest] = text.split(/\n\n/);
    const lines = head!.split('\n');
    return [
      {
        direction: m[1] === 'sent' ? 'sent' : 'received',
        at,
        text,
        startLine: lines[0] ?? '',
        headers: (name: string) =>
          lines
            .slice(1)
            .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
            .map((l) => l.slice(name.length + 1).trim()),
        body: rest.join('\n\n'),
      } satisfies SipMessage,
    ];
  });
}

/** The first received message whose start line matches. */
export function received(result: SippResult, startLine: RegExp): SipMessage | undefined {
  return result.messages.find((m) => m.direction === 'received' && startLine.test(m.startLine));
}

/** The final response status line the UAC got for its INVITE (or other request). */
export function finalResponse(result: SippResult): string | undefined {
  return result.messages
    .filter((m) => m.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d /.test(m.startLine))
    .map((m) => m.startLine)[0];
}

/** The Call-ID a UAC used. */
export function callIdOf(result: SippResult): string {
  return result.messages.find((m) => m.direction === 'sent')!.headers('Call-ID')[0]!;
}
