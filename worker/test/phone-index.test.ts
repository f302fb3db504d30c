import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  ADA_LOVELACE_ID,
  ALEX_RIVERA_ID,
  KENJI_SATO_ID,
  LISE_MEITNER_ID,
  MARIE_CURIE_ID,
  SAM_RIVERA_ID,
} from '@sip-bridge/zendesk-standin/seed';
import { clearMatchMemory } from '../src/calls/match-cache';
import { matchCaller } from '../src/calls/match-caller';
import { flushAfterCalls } from '../src/calls/flush-after-calls';
import { phoneIndexZendeskFromEnv, zendeskFromEnv } from '../src/config';
import { readPhoneIndexState } from '../src/phone-index/store';
import {
  phoneIndexCountry,
  syncPhoneIndex,
  type PhoneIndexSyncOptions,
} from '../src/phone-index/sync';
import { normalizeCallerNumber } from '../src/phone/normalize';
import type { ZendeskClient } from '../src/zendesk/client';
import {
  adminFetch,
  createTestLine,
  decide,
  installStandin,
  invite,
  zendeskRequests,
} from './harness';

const MINUTE = 60_000;
let clock: number;
let standin: ZendeskStandin;

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM phone_index'),
    env.DB.prepare('DELETE FROM phone_index_state'),
    env.DB.prepare('DELETE FROM caller_matches'),
    env.DB.prepare('DELETE FROM caller_users'),
    env.DB.prepare('DELETE FROM zendesk_budget'),
  ]);
  clock = Date.now();
  standin = installStandin({ now: () => clock });
  // Past the export's excluded minute, so every seeded change is exported.
  clock += MINUTE + 1000;
});

const exportRequests = () =>
  standin.requests.filter((r) => r.path === '/api/v2/incremental/users/cursor.json');
const searches = () => standin.requests.filter((r) => r.path === '/api/v2/search.json');

function sync(opts: Partial<PhoneIndexSyncOptions> = {}) {
  return syncPhoneIndex({
    db: env.DB,
    zendesk: phoneIndexZendeskFromEnv(env),
    country: 'US',
    now: () => clock,
    pageSize: 3,
    pagesPerRun: 2,
    ...opts,
  });
}

/** Runs the sync until it catches up; answers how many runs it took. */
async function backfill(opts: Partial<PhoneIndexSyncOptions> = {}) {
  for (let runs = 1; runs <= 20; runs++) {
    const run = await sync(opts);
    expect(run.error).toBeUndefined();
    if (run.caughtUp) return runs;
    clock += 5 * MINUTE;
  }
  throw new Error('the backfill never caught up');
}

function match(number: string, country: 'US' | 'FR' = 'US') {
  clearMatchMemory();
  const caller = normalizeCallerNumber(number, country);
  if (caller.kind !== 'e164') throw new Error(`not a number: ${number}`);
  return matchCaller(
    { db: env.DB, zendesk: zendeskFromEnv(env), now: () => clock },
    caller,
    country,
    Date.now() + 1500,
  );
}

describe('phone index sync', () => {
  it('backfills across several cron runs, a few small pages each, resuming from the cursor', async () => {
    for (let i = 0; i < 6; i++) {
      standin.addUser({ name: `Caller ${i}`, phone: `+1 212 555 01${10 + i}`, createdAt: clock });
    }
    clock += MINUTE + 1000;
    const users = standin.state.users.size;

    const first = await sync();
    expect(first).toMatchObject({ pages: 2, users: 6, caughtUp: false });
    let state = await readPhoneIndexState(env.DB);
    expect(state).toMatchObject({ startTime: 0, backfillDoneAt: null, usersSeen: 6, pages: 2 });
    expect(state?.cursor).toEqual(expect.any(String));

    clock += 5 * MINUTE;
    const runs = 1 + (await backfill());
    // 2 pages of 3 users per run; the page with the last users says end_of_stream.
    expect(runs).toBe(Math.ceil(Math.ceil(users / 3) / 2));
    const requests = exportRequests();
    expect(requests[0]?.query).toMatchObject({ start_time: '0', per_page: '3' });
    // Every later request resumed from the cursor the one before it answered.
    expect(requests.slice(1).every((r) => r.query.cursor && !r.query.start_time)).toBe(true);
    expect(requests.every((r) => r.query.include === 'identities')).toBe(true);

    state = await readPhoneIndexState(env.DB);
    expect(state?.backfillDoneAt).toEqual(expect.any(Number));
    expect(state?.usersSeen).toBe(users);
    const rows = await env.DB.prepare(
      'SELECT e164, user_id FROM phone_index ORDER BY e164, user_id',
    ).all<{ e164: string; user_id: number }>();
    // Active end-users with a phone: agents and Katherine (no phone) have no row.
    expect(rows.results).toContainEqual({ e164: '+14155550100', user_id: ADA_LOVELACE_ID });
    expect(rows.results).toContainEqual({ e164: '+33612345678', user_id: MARIE_CURIE_ID });
    expect(rows.results.filter((r) => r.e164 === '+14155550199').map((r) => r.user_id)).toEqual([
      SAM_RIVERA_ID,
      ALEX_RIVERA_ID,
    ]);
    expect(rows.results).toHaveLength(7 + 6);

    // Caught up: the next run asks once, from the cursor, and applies nothing new.
    clock += 5 * MINUTE;
    expect(await sync()).toMatchObject({ pages: 1, users: 0, caughtUp: true });
  });

  it('sees a changed phone, a new phone identity and a deleted user in the next run', async () => {
    await backfill();
    standin.state.updateUser(ADA_LOVELACE_ID, { phone: '+1 415 555 0123' });
    standin.state.addIdentity(KENJI_SATO_ID, { type: 'phone_number', value: '(646) 555-0177' });
    standin.state.addIdentity(KENJI_SATO_ID, { type: 'email', value: 'kenji@example.jp' });
    standin.state.deleteUser(LISE_MEITNER_ID);
    clock += MINUTE + 1000;
    expect(await sync()).toMatchObject({ users: 3, caughtUp: true });

    expect(await match('+14155550100')).toMatchObject({ result: 'no_match', source: 'index' });
    expect(await match('+14155550123')).toMatchObject({
      result: 'matched',
      userId: ADA_LOVELACE_ID,
      source: 'index',
    });
    // The identity's national number read in the index's country (US), beside Kenji's own phone.
    expect(await match('+16465550177')).toMatchObject({ result: 'matched', userId: KENJI_SATO_ID });
    expect(await match('+81312345678')).toMatchObject({ result: 'matched', userId: KENJI_SATO_ID });
    expect(await match('+4930901820')).toMatchObject({ result: 'no_match', source: 'index' });
    expect(searches()).toHaveLength(0);

    // Removing the identity takes its number out at the next run; Kenji keeps his own phone.
    const identity = standin.state.identitiesOf(KENJI_SATO_ID)[0]!;
    standin.state.removeIdentity(identity.id);
    clock += MINUTE + 1000;
    await sync();
    expect(await match('+16465550177')).toMatchObject({ result: 'no_match' });
    expect(await match('+81312345678')).toMatchObject({ result: 'matched', userId: KENJI_SATO_ID });
  });

  it('keeps a 429 from the export with its Retry-After, without pausing the calls’ budget', async () => {
    standin.setFaults({
      rateLimit: { count: 1, retryAfter: 30 },
      failPaths: '^/api/v2/incremental',
    });
    const refused = await sync();
    expect(refused.error).toMatch(/^rate_limited/);
    let state = await readPhoneIndexState(env.DB);
    expect(state).toMatchObject({ cursor: null, pages: 0, retryAfterUntil: clock + 30_000 });
    expect(state?.lastError).toMatch(/429/);
    // Not retried inside the run, and the shared budget is not blocked: calls still search.
    expect(exportRequests()).toHaveLength(1);
    const blocked = await env.DB.prepare(
      'SELECT COALESCE(MAX(blocked_until), 0) AS until FROM zendesk_budget',
    ).first<{ until: number }>();
    expect(blocked?.until).toBe(0);

    clock += 10_000;
    expect(await sync()).toMatchObject({ skipped: 'rate_limited', pages: 0 });
    expect(exportRequests()).toHaveLength(1);

    clock += 21_000;
    expect(await sync()).toMatchObject({ pages: 2 });
    state = await readPhoneIndexState(env.DB);
    expect(state?.lastError).toBeNull();
  });

  it('stays within the export’s 10 requests a minute, and resumes after Zendesk’s own 429', async () => {
    // Two runs of 5 pages inside one minute are Zendesk's 10; a third run is refused by Zendesk.
    await sync({ pagesPerRun: 5, pageSize: 1 });
    await sync({ pagesPerRun: 5, pageSize: 1 });
    const third = await sync({ pagesPerRun: 5, pageSize: 1 });
    expect(third.error).toMatch(/^rate_limited/);
    const state = await readPhoneIndexState(env.DB);
    expect(state?.pages).toBe(10);
    expect(state?.retryAfterUntil).toBeGreaterThan(clock);
    clock = (state?.retryAfterUntil ?? clock) + 1000;
    // The 11th user (the refused request's page) is the last one.
    expect(await sync({ pagesPerRun: 5, pageSize: 1 })).toMatchObject({ pages: 1, caughtUp: true });
    expect((await readPhoneIndexState(env.DB))?.usersSeen).toBe(standin.state.users.size);
  });

  it('stops asking for pages once a run has taken 20 s, and never runs twice at once', async () => {
    // Each export request takes 8 s by this clock: a fourth page would start past 20 s.
    const client = phoneIndexZendeskFromEnv(env);
    const slow: ZendeskClient = {
      ...client,
      exportUsers: (from, call) => {
        clock += 8000;
        return client.exportUsers(from, call);
      },
    };
    expect(await sync({ pagesPerRun: 5, pageSize: 1, zendesk: slow })).toMatchObject({ pages: 3 });

    await env.DB.prepare('UPDATE phone_index_state SET lease_until = ?')
      .bind(clock + 60_000)
      .run();
    standin.clearRequests();
    expect(await sync()).toMatchObject({ skipped: 'running', pages: 0 });
    expect(exportRequests()).toHaveLength(0);
    clock += 61_000;
    expect(await sync()).toMatchObject({ pages: 2 });
  });

  it('reads national numbers in PHONE_INDEX_COUNTRY, else the lines’ most common country', async () => {
    await env.DB.prepare('DELETE FROM lines').run();
    expect(await phoneIndexCountry(env.DB, undefined)).toBe('US');
    expect(await phoneIndexCountry(env.DB, ' gb ')).toBe('GB');
    await createTestLine({ slug: 'paris-1', default_country: 'FR' });
    await createTestLine({ slug: 'paris-2', default_country: 'FR' });
    await createTestLine({ slug: 'berlin', default_country: 'DE' });
    expect(await phoneIndexCountry(env.DB, 'not a country')).toBe('FR');
    // A tie keeps the country the index already has: changing it means exporting again.
    await createTestLine({ slug: 'berlin-2', default_country: 'DE' });
    expect(await phoneIndexCountry(env.DB, undefined)).toBe('DE');
    await backfill({ country: 'FR' });
    expect(await phoneIndexCountry(env.DB, undefined)).toBe('FR');
    await env.DB.prepare('DELETE FROM lines').run();
  });

  it('restarts the backfill when the country national numbers are read in changes', async () => {
    standin.addUser({ name: 'Jeanne', phone: '01 23 45 67 89', createdAt: clock });
    clock += MINUTE + 1000;
    await backfill();
    expect(await match('+33123456789', 'FR')).toMatchObject({ source: 'search' });
    await backfill({ country: 'FR' });
    const state = await readPhoneIndexState(env.DB);
    expect(state).toMatchObject({ country: 'FR', startTime: 0 });
    standin.clearRequests();
    expect(await match('+33123456789', 'FR')).toMatchObject({ result: 'matched', source: 'index' });
    expect(searches()).toHaveLength(0);
  });
});

describe('matching from the phone index', () => {
  it('asks Zendesk until the backfill is done, then nothing at all', async () => {
    await sync();
    expect(await match('+14155550100')).toMatchObject({ result: 'matched', source: 'search' });
    expect(searches()).toHaveLength(1);

    await backfill();
    standin.clearRequests();
    await env.DB.prepare('DELETE FROM caller_matches').run();
    expect(await match('+14155550100')).toMatchObject({
      result: 'matched',
      userId: ADA_LOVELACE_ID,
      source: 'index',
    });
    const ambiguous = await match('+14155550199');
    expect(ambiguous).toMatchObject({ result: 'ambiguous', source: 'index' });
    expect(ambiguous.candidates).toEqual([
      { id: SAM_RIVERA_ID, name: 'Sam Rivera', phone: '+1 415 555 0199' },
      { id: ALEX_RIVERA_ID, name: 'Alex Rivera', phone: '+1 415 555 0199' },
    ]);
    expect(await match('+12025550143')).toMatchObject({ result: 'no_match', source: 'index' });
    expect(zendeskRequests(standin)).toBe(0);
  });

  it('confirms a no_match by search once the index has not caught up for 7 minutes, or on a line of another country', async () => {
    await backfill();
    standin.clearRequests();
    clock += 6 * MINUTE;
    expect(await match('+12025550143')).toMatchObject({ result: 'no_match', source: 'index' });
    // A line in France reads national numbers in French; the index read them as US numbers.
    expect(await match('+33698765432', 'FR')).toMatchObject({ source: 'search' });
    expect(searches()).toHaveLength(1);

    clock += 2 * MINUTE;
    expect(await match('+12025550188')).toMatchObject({ result: 'no_match', source: 'search' });
    // Users it has are still believed for the hour.
    expect(await match('+14155550100')).toMatchObject({ result: 'matched', source: 'index' });
    expect(searches()).toHaveLength(2);

    clock += 60 * MINUTE;
    await env.DB.prepare('DELETE FROM caller_matches').run();
    expect(await match('+14155550100')).toMatchObject({ result: 'matched', source: 'search' });
    expect(searches()).toHaveLength(3);
  });

  it('decides a call from the index with no Zendesk request, and shows the progress to admins', async () => {
    await createTestLine();
    expect(
      ((await (await adminFetch('/v1/admin/phone-index')).json()) as Record<string, any>)
        .phone_index,
    ).toMatchObject({ status: 'not_started', trust: 'none', numbers: 0 });
    await sync();
    let body = (await (await adminFetch('/v1/admin/phone-index')).json()) as Record<string, any>;
    expect(body.phone_index).toMatchObject({
      status: 'backfilling',
      trust: 'none',
      country: 'US',
      backfill: { start_time: 0, done_at: null },
      users_seen: 6,
      pages: 2,
    });

    await backfill();
    standin.clearRequests();
    const res = await decide(invite());
    expect(res.body.call).toMatchObject({ match: 'matched', caller_e164: '+14155550100' });
    const stranger = await decide(invite({ from: '<sip:+12025550143@carrier.example>' }));
    expect(stranger.body.call).toMatchObject({ match: 'no_match', degraded: [] });
    expect(zendeskRequests(standin)).toBe(0);

    body = (await (await adminFetch('/v1/admin/phone-index')).json()) as Record<string, any>;
    expect(body.phone_index).toMatchObject({
      status: 'synced',
      trust: 'all',
      users_seen: standin.state.users.size,
      numbers: 7,
      last_error: null,
    });
    expect(body.phone_index.backfill.done_at).toEqual(expect.any(String));
  });

  it('answers the progress to the admin token only, and documents it in the OpenAPI document', async () => {
    expect(
      (await adminFetch('/v1/admin/phone-index', { token: 'wrong-token-0123456789' })).status,
    ).toBe(401);
    const doc = (await (await adminFetch('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain('/v1/admin/phone-index');
  });

  it('learns of an end-user the bridge creates at once, before the export reports it', async () => {
    await createTestLine({ slug: 'creates', create_ticket: true });
    await backfill();
    standin.clearRequests();
    const res = await decide(
      invite({ line: 'creates', from: '<sip:+12025550143@carrier.example>' }),
    );
    expect(res.body.call).toMatchObject({ match: 'no_match', ticket_link: 'created' });
    // No search: the index answered no_match; then the ticket was created, and the user after.
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/tickets.json',
    ]);
    await flushAfterCalls(env.DB, zendeskFromEnv(env), { pollDelaysMs: [0, 0] });
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'POST /api/v2/users/create_or_update_many.json',
    );
    await env.DB.prepare('DELETE FROM caller_matches').run();
    clearMatchMemory();
    const created = [...standin.state.users.values()].at(-1)!;
    expect(await match('+12025550143')).toMatchObject({
      result: 'matched',
      userId: created.id,
      source: 'index',
    });
  });

  it('matches by search when the index cannot be read (its migration not applied)', async () => {
    await backfill();
    await env.DB.prepare('ALTER TABLE phone_index RENAME TO phone_index_gone').run();
    try {
      expect(await match('+14155550100')).toMatchObject({ result: 'matched', source: 'search' });
    } finally {
      await env.DB.prepare('ALTER TABLE phone_index_gone RENAME TO phone_index').run();
    }
  });
});
