import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { ADA_LOVELACE_ID, API_USER_ID, GRACE_HOPPER_AGENT_ID, MARIE_CURIE_ID } from '../seed';
import { callJson, ORIGIN } from '../test-support';

const PATH = '/api/v2/incremental/users/cursor.json';
let clock: number;
let zendesk: ZendeskStandin;

beforeEach(() => {
  clock = Date.parse('2026-12-01T12:00:00Z');
  zendesk = createZendeskStandin({ now: () => clock });
  clock += 60_000;
  // A change to the API user (an admin already), so one user changed after the seed.
  zendesk.state.updateUser(API_USER_ID, { role: 'admin' });
  clock += 120_000;
});

/** Every page from start_time 0, `perPage` at a time, following after_cursor. */
async function exportAll(perPage: number) {
  const pages = [];
  let query = `start_time=0&per_page=${perPage}`;
  for (let i = 0; i < 50; i++) {
    const res = await callJson(zendesk, `${PATH}?${query}`);
    expect(res.status).toBe(200);
    pages.push(res.body);
    if (res.body.end_of_stream) break;
    query = `cursor=${encodeURIComponent(res.body.after_cursor)}&per_page=${perPage}`;
  }
  return pages;
}

describe('GET /api/v2/incremental/users/cursor', () => {
  it('answers the documented shape: users, after_cursor, after_url, before_*, end_of_stream', async () => {
    const res = await callJson(zendesk, `${PATH}?start_time=0`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['after_cursor', 'after_url', 'before_cursor', 'before_url', 'end_of_stream', 'users'].sort(),
    );
    expect(res.body.end_of_stream).toBe(true);
    expect(res.body.before_cursor).toBeNull();
    expect(res.body.after_url).toBe(
      `${ORIGIN}/api/v2/incremental/users/cursor.json?cursor=${encodeURIComponent(res.body.after_cursor)}`,
    );
    const ada = res.body.users.find((u: { id: number }) => u.id === ADA_LOVELACE_ID);
    expect(ada).toMatchObject({ name: 'Ada Lovelace', phone: '+1 (415) 555-0100', active: true });
  });

  it('pages through every user oldest change first, per_page at a time, resuming from the cursor', async () => {
    const pages = await exportAll(4);
    const total = zendesk.state.users.size;
    expect(pages).toHaveLength(Math.ceil(total / 4));
    expect(pages.slice(0, -1).every((p) => p.end_of_stream === false)).toBe(true);
    const seen = pages.flatMap((p) => p.users);
    // The API user changed last, so it comes last; the rest were seeded together, in id order.
    const others = [...zendesk.state.users.keys()].filter((id) => id !== API_USER_ID);
    expect(seen.map((u: { id: number }) => u.id)).toEqual([...others, API_USER_ID]);
    const times = seen.map((u: { updated_at: string }) => u.updated_at);
    expect([...times].sort()).toEqual(times);
  });

  it('leaves out users changed within the last minute, and returns a changed user again', async () => {
    const first = await exportAll(100);
    const cursor = first.at(-1).after_cursor;
    zendesk.state.updateUser(MARIE_CURIE_ID, { phone: '+33 6 98 76 54 32' });
    clock += 30_000;
    const early = await callJson(zendesk, `${PATH}?cursor=${encodeURIComponent(cursor)}`);
    expect(early.body).toMatchObject({ users: [], end_of_stream: true, after_cursor: cursor });
    clock += 31_000;
    const later = await callJson(zendesk, `${PATH}?cursor=${encodeURIComponent(cursor)}`);
    expect(later.body.users.map((u: { id: number; phone: string }) => [u.id, u.phone])).toEqual([
      [MARIE_CURIE_ID, '+33 6 98 76 54 32'],
    ]);
    expect(later.body.end_of_stream).toBe(true);
  });

  it('reports a deleted user with active: false', async () => {
    const cursor = (await exportAll(100)).at(-1).after_cursor;
    zendesk.state.deleteUser(ADA_LOVELACE_ID);
    clock += 61_000;
    const res = await callJson(zendesk, `${PATH}?cursor=${encodeURIComponent(cursor)}`);
    expect(res.body.users).toEqual([
      expect.objectContaining({ id: ADA_LOVELACE_ID, active: false }),
    ]);
  });

  it('side-loads the page users’ identities with include=identities', async () => {
    const identity = zendesk.state.addIdentity(ADA_LOVELACE_ID, {
      type: 'phone_number',
      value: '+1 415 555 0111',
    });
    clock += 61_000;
    const plain = await callJson(zendesk, `${PATH}?start_time=0`);
    expect(plain.body.identities).toBeUndefined();
    const res = await callJson(zendesk, `${PATH}?start_time=0&include=identities`);
    expect(res.body.identities).toEqual([
      expect.objectContaining({
        id: identity.id,
        user_id: ADA_LOVELACE_ID,
        type: 'phone_number',
        value: '+1 415 555 0111',
      }),
    ]);
    // Adding the identity moved Ada's updated_at: she now comes last.
    expect(res.body.users.at(-1).id).toBe(ADA_LOVELACE_ID);
  });

  it('allows 10 requests a minute, then answers 429 with Retry-After', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await callJson(zendesk, `${PATH}?start_time=0`)).status).toBe(200);
      clock += 1000;
    }
    const refused = await zendesk.fetch(
      new Request(`${ORIGIN}${PATH}?start_time=0`, {
        headers: { Authorization: `Basic ${btoa('bridge@example.com/token:standin-token')}` },
      }),
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('50');
    // Other endpoints are not counted against the export's limit.
    expect((await callJson(zendesk, `/api/v2/users/${MARIE_CURIE_ID}.json`)).status).toBe(200);
    clock += 50_000;
    expect((await callJson(zendesk, `${PATH}?start_time=0`)).status).toBe(200);
  });

  it('refuses agents (403), a missing start, a too recent start_time and a bad cursor (400)', async () => {
    // The export is allowed for admins only (the seed's API user is one).
    const agent = createZendeskStandin({ now: () => clock });
    agent.state.updateUser(API_USER_ID, { role: 'agent' });
    expect((await callJson(agent, `${PATH}?start_time=0`)).status).toBe(403);
    expect(agent.state.users.get(GRACE_HOPPER_AGENT_ID)?.role).toBe('agent');
    for (const query of ['', `start_time=${Math.floor(clock / 1000) - 30}`, 'cursor=%%%']) {
      const res = await callJson(zendesk, `${PATH}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe('InvalidValue');
    }
  });
});
