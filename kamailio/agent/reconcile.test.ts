import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dialog } from 'kamailio-jsonrpc';
import { silentLogger } from './log';
import { startReconciler, type Reconciler } from './reconcile';
import { CallFactsSchema, type CallEvent } from './schemas';
import { callFacts } from './testing/fixtures';

/** The reason an operator reads on a call the reconciler ended. */
const RECONCILED = 'reconciled: the proxy no longer tracks this dialog';

/** A dlg.list entry as the client returns it (only the fields the reconciler reads matter). */
function dialog(callId: string, state = 4, call: unknown = callFacts(callId)): Dialog {
  return {
    callId,
    fromUri: 'sip:+14155550100@127.0.0.1',
    fromTag: 'a',
    toUri: 'sip:zendesk@127.0.0.1',
    toTag: state >= 3 ? 'b' : null,
    state,
    stateName: 'confirmed',
    startTs: state >= 3 ? 1_795_000_000 : 0,
    timeout: 0,
    lifetime: 7200,
    duration: 0,
    hEntry: 1,
    hId: 1,
    callerContact: null,
    calleeContact: null,
    variables: call === undefined ? {} : { call: JSON.stringify(call) },
  };
}

const answered = (callId: string): CallEvent => ({
  call_id: callId,
  kind: 'answered',
  at: '2026-11-21T09:00:00.000Z',
  sip_code: 200,
  call: CallFactsSchema.parse(callFacts(callId)),
});

describe('reconciler', () => {
  let dir: string;
  let dialogs: Dialog[] | Error;
  let spooled: CallEvent[];
  let r: Reconciler | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
    dialogs = [];
    spooled = [];
  });
  afterEach(async () => {
    await r?.stop();
    r = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = () => {
    r = startReconciler(
      { rpcUrl: 'http://127.0.0.1:1/RPC', intervalMs: 3_600_000, stateDir: dir },
      {
        append: async (e) => void spooled.push(e),
        log: silentLogger,
        rpc: {
          dialogs: async () => {
            if (dialogs instanceof Error) throw dialogs;
            return dialogs;
          },
        },
        now: () => Date.parse('2026-11-21T10:00:00.000Z'),
      },
    );
    return r;
  };

  it('ends an answered call whose dialog is missing from two scans in a row', async () => {
    const rec = start();
    await rec.scanNow();
    rec.noteEvent(answered('lost@x'));
    await rec.scanNow();
    expect(spooled).toEqual([]); // one missing scan could be an event still on its way
    await rec.scanNow();
    expect(spooled).toEqual([
      {
        call_id: 'lost@x',
        kind: 'ended',
        at: '2026-11-21T10:00:00.000Z',
        ended_by: 'proxy',
        reason: RECONCILED,
        call: CallFactsSchema.parse(callFacts('lost@x')),
      },
    ]);
    expect(rec.snapshot()).toMatchObject({ open_calls: 0, reconciled: 1, last_error: null });
    await rec.scanNow();
    expect(spooled).toHaveLength(1); // reported once
  });

  it('leaves calls alone while Kamailio lists their dialog, and after their own end event', async () => {
    const rec = start();
    rec.noteEvent(answered('up@x'));
    rec.noteEvent(answered('done@x'));
    rec.noteEvent({ ...answered('done@x'), kind: 'ended', ended_by: 'caller' });
    dialogs = [dialog('up@x')];
    for (let i = 0; i < 3; i++) await rec.scanNow();
    expect(spooled).toEqual([]);
    expect(rec.snapshot().open_calls).toBe(1);
  });

  // Event workers post in parallel and retry what the agent could not take: "ended" can come first.
  it('does not reopen a call whose "answered" arrives after its end', async () => {
    const rec = start();
    rec.noteEvent({ ...answered('late@x'), kind: 'ended', ended_by: 'caller' });
    rec.noteEvent(answered('late@x'));
    for (let i = 0; i < 3; i++) await rec.scanNow();
    expect(spooled).toEqual([]);
    expect(rec.snapshot().open_calls).toBe(0);
  });

  it('resets the count when a dialog shows up again', async () => {
    const rec = start();
    rec.noteEvent(answered('flaky@x'));
    await rec.scanNow();
    dialogs = [dialog('flaky@x')];
    await rec.scanNow();
    dialogs = [];
    await rec.scanNow();
    expect(spooled).toEqual([]);
  });

  it('follows answered dialogs it never saw an event for (agent restarted mid-call)', async () => {
    dialogs = [dialog('before@x'), dialog('ringing@x', 2)];
    const rec = start();
    await rec.scanNow();
    expect(rec.snapshot().open_calls).toBe(1); // not the early dialog
    dialogs = [];
    await rec.scanNow();
    await rec.scanNow();
    expect(spooled.map((e) => [e.call_id, e.call?.line])).toEqual([['before@x', 'demo']]);
  });

  it('keeps open calls across an agent restart (Kamailio restarted while the agent was down)', async () => {
    const first = start();
    first.noteEvent(answered('kept@x'));
    dialogs = [dialog('kept@x')];
    await first.scanNow();
    await first.stop();
    expect(JSON.parse(readFileSync(join(dir, 'open-calls.json'), 'utf8'))).toEqual([
      expect.objectContaining({ call_id: 'kept@x' }),
    ]);
    dialogs = [];
    const second = start();
    await second.scanNow();
    await second.scanNow();
    expect(spooled.map((e) => [e.call_id, e.reason])).toEqual([['kept@x', RECONCILED]]);
  });

  it('reports nothing while Kamailio cannot be asked, and says why', async () => {
    const rec = start();
    rec.noteEvent(answered('unknown@x'));
    dialogs = new Error('connect ECONNREFUSED 127.0.0.1:5080');
    for (let i = 0; i < 3; i++) await rec.scanNow();
    expect(spooled).toEqual([]);
    expect(rec.snapshot().last_error).toMatch(/^kamailio: connect ECONNREFUSED/);
    dialogs = [dialog('unknown@x')];
    await rec.scanNow();
    expect(rec.snapshot().last_error).toBeNull();
  });

  it('ignores an unreadable state file instead of refusing to start', async () => {
    writeFileSync(join(dir, 'open-calls.json'), '{not json');
    const rec = start();
    await rec.scanNow();
    expect(rec.snapshot()).toMatchObject({ open_calls: 0, last_error: null });
  });
});
