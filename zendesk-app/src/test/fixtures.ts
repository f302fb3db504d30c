import type { CallerHistory, CallerHistoryEntry, CallRecord } from '../app/lib/types';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (!patch) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    const current = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && current && typeof current === 'object'
        ? merge(current, v as never)
        : v;
  }
  return out as T;
}

/** A completed, matched call as the Worker serves it; override any part. */
export function makeCall(patch?: DeepPartial<CallRecord>): CallRecord {
  const base: CallRecord = {
    call_id: 'a84b4c76e66710@198.51.100.7',
    line: 'ai-agent',
    status: 'completed',
    source: { ip: '198.51.100.7', port: 5060, transport: 'udp', acl_entry: '198.51.100.0/24' },
    sip: {
      from: '<sip:+14155550100@198.51.100.7;user=phone>;tag=1',
      to: '<sip:support@sip.example.com>',
      request_uri: 'sip:support@sip.example.com',
      p_asserted_identity: null,
      user_agent: 'VoiceAI/3.2',
    },
    codecs: ['PCMU', 'telephone-event'],
    caller: {
      e164: '+14155550100',
      display: '+1 415 555 0100',
      kind: 'e164',
      match: 'matched',
      user_id: 20001,
      candidates: [],
    },
    ticket: { id: 1001, link: 'passed', passed_id: '1001' },
    decision: { action: 'relay', code: null, reason: null, degraded: [] },
    timeline: {
      received_at: '2026-11-21T09:30:00.000Z',
      answered_at: '2026-11-21T09:30:04.000Z',
      ended_at: '2026-11-21T09:31:09.000Z',
    },
    duration_s: 65,
    final: { code: 200, reason: 'OK', ended_by: 'caller' },
    cost: { micros: 20000, usd: '0.02' },
    summary_status: 'posted',
    updated_at: '2026-11-21T09:31:09.000Z',
  };
  return merge(base, patch);
}

/** The AI agent's handoff a call was linked to; override any field. */
export function makeHandoff(
  patch?: Partial<NonNullable<CallRecord['handoff']>>,
): NonNullable<CallRecord['handoff']> {
  return {
    id: 'ho_5f0c9a1e2b3d4c5e6f708192',
    key_label: 'Acme Voice AI (production)',
    summary: 'Charged twice for the November invoice; wants a refund.',
    intent: 'billing_dispute',
    language: 'en-US',
    transcript: [
      { role: 'agent', text: 'Hello, how can I help?', at: '2026-11-21T09:28:10.000Z' },
      { role: 'caller', text: 'I was charged twice.', at: '2026-11-21T09:28:15.000Z' },
      { role: 'system', text: 'Transferring to a person.', at: null },
    ],
    created_at: '2026-11-21T09:29:50.000Z',
    ...patch,
  };
}

export const RIVERAS = [
  { id: 20005, name: 'Sam Rivera', phone: '+14155550199', phone_display: '+1 415 555 0199' },
  { id: 20006, name: 'Alex Rivera', phone: '(415) 555-0199', phone_display: '+1 415 555 0199' },
];

/** A caller history answer for call `a84b4c76e66710@198.51.100.7` on ticket 1001; override the calls. */
export function makeHistory(
  calls: Partial<CallerHistoryEntry>[] = [{}],
  more: Partial<CallerHistory> = {},
): CallerHistory {
  return {
    ticket_id: 1001,
    call_id: 'a84b4c76e66710@198.51.100.7',
    calls: calls.map((c, i) => ({
      received_at: `2026-11-${20 - i}T15:45:00.000Z`,
      line: { slug: 'ai-agent', name: 'AI voice agent' },
      status: 'completed',
      duration_s: 65,
      ticket_id: 1002,
      ...c,
    })),
    has_more: false,
    ...more,
  };
}
