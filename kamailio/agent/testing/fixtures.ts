import { vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SECRET = 'test-edge-secret-0123456789';
export const TOKEN = 'test-agent-token';

/** Call facts as Kamailio sends them to /v1/decide (empty strings for absent values). */
export function callFacts(callId = 'a84b4c76e66710@pc33.example.com', ticketId = '1001') {
  return {
    call_id: callId,
    line: 'demo',
    source: { ip: '127.0.0.1', port: 5062, transport: 'udp' },
    acl_entry: '127.0.0.1/32',
    sip: {
      from: '"Ada" <sip:+14155550100@carrier.example>;tag=1',
      to: '<sip:zendesk@127.0.0.1>',
      request_uri: 'sip:zendesk@127.0.0.1:5060',
      p_asserted_identity: '',
      user_agent: 'VoiceBot/2.1',
    },
    ticket_id: ticketId,
    codecs: ['PCMU', 'PCMA', 'telephone-event'],
  };
}

/** A lifecycle event as Kamailio sends it to /v1/events. */
export function callEvent(n: number, kind = 'answered') {
  return {
    call_id: `call-${n}@127.0.0.1`,
    kind,
    at: new Date(Date.UTC(2026, 10, 21, 9, 30, 0, n % 1000)).toISOString(),
    sip_code: kind === 'answered' ? 200 : 487,
    reason: kind === 'answered' ? 'OK' : 'Request Terminated',
  };
}

/** A fresh temporary directory, and a function that removes it. */
export function tempDir(prefix = 'edge-agent-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** vi.waitFor on a boolean: polls `check` every 20 ms until it is true, failing after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  await vi.waitFor(
    () => {
      if (!check()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 20 },
  );
}
