import { describe, expect, it } from 'vitest';
import { answerFromWorker, failOpenAnswer, headerBlock } from './answer';

const relay = (headers: Array<{ name: string; value: string }>) => ({
  action: 'relay',
  headers,
  targets: ['sip:zendesk@127.0.0.1:5070'],
  call: {
    caller_e164: null,
    match: 'no_match',
    ticket_id: null,
    ticket_link: 'none',
    degraded: [],
  },
});

describe('mapping the Worker decision to the Kamailio answer', () => {
  it('relays with the headers ready for append_hf(), in order', () => {
    const mapped = answerFromWorker(
      relay([
        { name: 'X-Zendesk-Ticket-Id', value: '1001' },
        { name: 'X-Bridge-Caller', value: '+14155550100' },
      ]),
    );
    expect(mapped).toEqual({
      ok: true,
      dropped: [],
      answer: {
        action: 'relay',
        code: 0,
        reason: '',
        headers: 'X-Zendesk-Ticket-Id: 1001\r\nX-Bridge-Caller: +14155550100\r\n',
        source: 'worker',
      },
    });
  });

  it('passes on the caller to present in E.164, and refuses a decision whose caller_user is not E.164', () => {
    const mapped = answerFromWorker({ ...relay([]), caller_user: '+33612345678' });
    expect(mapped).toMatchObject({
      ok: true,
      answer: { action: 'relay', caller_user: '+33612345678' },
    });
    const plain = answerFromWorker(relay([]));
    expect(plain.ok && 'caller_user' in plain.answer).toBe(false);
    for (const bad of ['0612345678', '+33 6 12 34 56 78', '+3361234\r\nX-Evil: 1']) {
      expect(answerFromWorker({ ...relay([]), caller_user: bad }).ok).toBe(false);
    }
  });

  it('rejects with the SIP code and reason', () => {
    const mapped = answerFromWorker({
      ...relay([]),
      action: 'reject',
      code: 603,
      reason: 'Decline',
    });
    expect(mapped.ok && mapped.answer).toEqual({
      action: 'reject',
      code: 603,
      reason: 'Decline',
      headers: '',
      source: 'worker',
    });
  });

  it('drops a header whose value carries CR/LF, NUL or non-ASCII, and one with a bad name', () => {
    const { block, dropped } = headerBlock([
      { name: 'X-Zendesk-Ticket-Id', value: '1001\r\nVia: SIP/2.0/UDP evil.example' },
      { name: 'X-Nul', value: 'a\0b' },
      { name: 'X-Accent', value: 'café' },
      { name: 'Via', value: 'SIP/2.0/UDP 10.0.0.1' },
      { name: 'X-Bad Name', value: 'x' },
      { name: `X-${'a'.repeat(65)}`, value: 'x' },
      { name: 'X-Good', value: 'fine value ~!' },
    ]);
    expect(block).toBe('X-Good: fine value ~!\r\n');
    expect(dropped.map((d) => `${d.why}:${d.name.slice(0, 12)}`)).toEqual([
      'value:X-Zendesk-Ti',
      'value:X-Nul',
      'value:X-Accent',
      'name:Via',
      'name:X-Bad Name',
      'name:X-aaaaaaaaaa',
    ]);
  });

  it.each([
    ['code below 400', { code: 399, reason: 'Nope' }],
    ['code above 699', { code: 700, reason: 'Nope' }],
    ['no code', { reason: 'Nope' }],
    ['reason with CRLF', { code: 603, reason: 'Decline\r\nX-Evil: 1' }],
    ['reason over 100 characters', { code: 603, reason: 'x'.repeat(101) }],
    ['empty reason', { code: 603, reason: '' }],
  ])('treats a reject with %s as a failure', (_name, fields) => {
    expect(answerFromWorker({ ...relay([]), action: 'reject', ...fields }).ok).toBe(false);
  });

  it('treats an answer that is not a Decision as a failure', () => {
    expect(answerFromWorker({ action: 'maybe', headers: [] }).ok).toBe(false);
    expect(answerFromWorker('relay').ok).toBe(false);
    expect(answerFromWorker(undefined).ok).toBe(false);
  });

  it('fails open with only the ticket id Kamailio validated', () => {
    expect(failOpenAnswer('1001')).toEqual({
      action: 'relay',
      code: 0,
      reason: '',
      headers: 'X-Zendesk-Ticket-Id: 1001\r\n',
      source: 'fail_open',
    });
    expect(failOpenAnswer(null).headers).toBe('');
    expect(failOpenAnswer('12ab').headers).toBe('');
  });
});
