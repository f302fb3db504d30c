// The AI-agent mix bench:sip measures by default (issue 15): who calls, in what share, and what
// each call cost Zendesk as the stand-in counted it.
//   repeat      60 %  a known caller passing their open ticket (X-Zendesk-Ticket-Id)
//   first_time  25 %  a number no Zendesk user has, no ticket, on a line that creates tickets
//   handoff     10 %  an AI agent's call with the ticket POST /v1/handoffs prepared for it
//   withheld     5 %  an anonymous caller, no ticket
// Calls follow a fixed 20-call pattern, so every step gets the same mix whatever its length.
import { writeFileSync } from 'node:fs';

export const KINDS = ['repeat', 'first_time', 'handoff', 'withheld'];
// 12 repeat, 5 first_time, 2 handoff, 1 withheld in every 20 calls, spread out.
const PATTERN = 'rfrhrfrwrfrrhfrrrfrr'
  .split('')
  .map((c) => ({ r: 'repeat', f: 'first_time', h: 'handoff', w: 'withheld' })[c]);
const TICKET_HEADER = 'X-Zendesk-Ticket-Id';

/** Requests the stand-in logged, by what they were for. */
export function requestClass({ method, path }) {
  const p = path.replace(/\.json$/, '');
  if (p === '/api/v2/search' || p === '/api/v2/users/search') return 'match_search';
  if (method === 'POST' && p === '/api/v2/users') return 'user_create';
  // First-time callers' users, made after the answer in batches (caller-users.ts).
  if (method === 'POST' && p === '/api/v2/users/create_or_update_many') return 'caller_users';
  if (method === 'POST' && p === '/api/v2/tickets') return 'ticket_create';
  if (p === '/api/v2/tickets/show_many' || /^\/api\/v2\/tickets\/\d+$/.test(p)) {
    return method === 'GET' ? 'ticket_check' : 'other';
  }
  if (p === '/api/v2/tickets/update_many') return 'notes';
  // Polls of either batch job (notes and requesters, callers' users).
  if (p.startsWith('/api/v2/job_statuses')) return 'job_status';
  if (/^\/api\/v2\/tickets\/\d+\/comments$/.test(p)) return 'notes';
  if (p === '/api/v2/incremental/users/cursor') return 'phone_index';
  return 'other';
}

/**
 * Requests a call makes before its answer: matching, a ticket check, ticket creation (and user
 * creation, which only a handoff's preparation still makes in its own request).
 */
const CALL_PATH = ['match_search', 'ticket_check', 'user_create', 'ticket_create'];

/** The call-path requests in counts by class (countRequests). */
export const callPathRequests = (byClass = {}) =>
  CALL_PATH.reduce((n, k) => n + (byClass[k] ?? 0), 0);

/** Every request in counts by class. */
export const totalRequests = (byClass = {}) => Object.values(byClass).reduce((a, b) => a + b, 0);

/** Counts `entries` by requestClass. */
export function countRequests(entries) {
  const counts = {};
  for (const e of entries) {
    const k = requestClass(e);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/**
 * The Zendesk side of the mix, made through Zendesk's API as any client would: `repeat` users
 * with a phone and an open ticket each.
 */
export async function seedRepeatCallers({ standin, email, apiToken, count }) {
  const auth = `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`;
  const post = async (path, body) => {
    const res = await fetch(`${standin}${path}`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`seeding: POST ${path} answered ${res.status}`);
    return res.json();
  };
  const callers = [];
  for (let i = 0; i < count; i++) {
    const e164 = `+1415${3000000 + i * 7}`;
    const { user } = await post('/api/v2/users.json', {
      user: { name: `Repeat Caller ${i + 1}`, phone: e164 },
    });
    const { ticket } = await post('/api/v2/tickets.json', {
      ticket: {
        subject: `Open question ${i + 1}`,
        comment: { body: 'Earlier conversation', public: false },
        requester_id: user.id,
        status: 'open',
      },
    });
    callers.push({ e164, ticketId: ticket.id });
  }
  return callers;
}

/**
 * `count` handoffs through POST /v1/handoffs with a key made for the line, `parallel` at a time;
 * each gives the ticket header one handoff call carries.
 */
export async function prepareHandoffs({ worker, adminToken, slug, count, parallel = 8 }) {
  const keyRes = await fetch(`${worker}/v1/admin/lines/${slug}/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ label: 'bench:sip AI agent', handoffs_per_minute: 10_000 }),
  });
  if (keyRes.status !== 201) throw new Error(`creating the handoff key answered ${keyRes.status}`);
  const { secret } = await keyRes.json();
  const handoffs = new Array(count);
  let next = 0;
  const one = async () => {
    for (let i = next++; i < count; i = next++) {
      const e164 = `+1415${7000000 + i * 3}`;
      const res = await fetch(`${worker}/v1/handoffs`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${secret}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': `bench-handoff-${i}`,
        },
        body: JSON.stringify({
          caller: { phone: e164, name: `Handed-off Caller ${i + 1}` },
          summary: 'The caller asked for a person about a billing question.',
          intent: 'billing_question',
        }),
      });
      if (res.status !== 201) throw new Error(`POST /v1/handoffs answered ${res.status}`);
      const body = await res.json();
      handoffs[i] = { e164, header: body.header };
    }
  };
  await Promise.all(Array.from({ length: parallel }, one));
  return handoffs;
}

/**
 * Hands out calls: repeat callers in turn, a fresh number for every first-time caller, each
 * handoff once (`handoffs` null: a passed ticket instead). `take(n, only?)` gives n calls of the
 * mix, or of one kind.
 */
export function createMixPlan({ repeat, handoffs }) {
  let position = 0;
  let firstTime = 0;
  let repeated = 0;
  let handedOff = 0;
  const call = (kind) => {
    if (kind === 'repeat') {
      const c = repeat[repeated++ % repeat.length];
      return { kind, user: c.e164, host: '127.0.0.1', header: `${TICKET_HEADER}: ${c.ticketId}` };
    }
    if (kind === 'first_time') {
      const user = `+1415${6000000 + firstTime++}`;
      return { kind, user, host: '127.0.0.1', header: 'Subject: bench first-time caller' };
    }
    if (kind === 'handoff' && !handoffs) {
      // No handoffs (the plain relay's calls): a passed ticket all the same.
      return { ...call('repeat'), kind };
    }
    if (kind === 'handoff') {
      if (handedOff >= handoffs.length) throw new Error('bench:sip ran out of prepared handoffs');
      const h = handoffs[handedOff++];
      return { kind, user: h.e164, host: '127.0.0.1', header: h.header };
    }
    return {
      kind,
      user: 'anonymous',
      host: 'anonymous.invalid',
      header: 'Subject: bench withheld',
    };
  };
  return {
    take(n, only) {
      return Array.from({ length: n }, () => call(only ?? PATTERN[position++ % PATTERN.length]));
    },
  };
}

/** Handoffs `calls` mix calls use (2 in 20), and `extra` more. */
export const handoffsFor = (calls, extra = 0) => Math.ceil(calls / 10) + extra;

/** Writes calls as a sipp injection file for uac-mix.xml (fields: user; host; header). */
export function writeMixCalls(file, calls) {
  writeFileSync(
    file,
    ['SEQUENTIAL', ...calls.map((c) => `${c.user};${c.host};${c.header};`)].join('\n') + '\n',
  );
}

/** Calls by kind in `calls`. */
export function kindsOf(calls) {
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const c of calls) counts[c.kind]++;
  return counts;
}
