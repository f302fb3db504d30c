import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import {
  ADA_LOVELACE_ID,
  ALAN_TURING_ID,
  ALEX_RIVERA_ID,
  KENJI_SATO_ID,
  LISE_MEITNER_ID,
  MARIE_CURIE_ID,
  SAM_RIVERA_ID,
} from '../seed';
import { callJson, ORIGIN } from '../test-support';
import { phoneTermMatches } from './search';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const search = (query: string, extra = '') =>
  callJson(zendesk, `/api/v2/search.json?query=${encodeURIComponent(query)}${extra}`);
const ids = (body: { results: { id: number }[] }) => body.results.map((r) => r.id);

describe('phoneTermMatches', () => {
  it('matches wildcard terms by trailing digits and exact terms by all digits', () => {
    expect(phoneTermMatches('*5135557611', '+1 513.555.7611')).toBe(true);
    expect(phoneTermMatches('*5135557611', '(513) 555-7611')).toBe(true);
    expect(phoneTermMatches('5135557611', '(513) 555-7611')).toBe(true);
    expect(phoneTermMatches('5135557611', '+1 513.555.7611')).toBe(false);
    expect(phoneTermMatches('15135557611', '+1 513.555.7611')).toBe(true);
  });

  it('matches nothing for non-digit terms or users without a phone', () => {
    for (const term of ['+15135557611', '513-555-7611', '*', '', '**5135557611']) {
      expect(phoneTermMatches(term, '+1 513.555.7611'), term).toBe(false);
    }
    expect(phoneTermMatches('*7611', null)).toBe(false);
  });
});

describe('GET /api/v2/search (users by phone)', () => {
  it('finds formatted phones across countries with a leading *', async () => {
    const cases: [string, number][] = [
      ['*14155550100', ADA_LOVELACE_ID],
      ['*4155550100', ADA_LOVELACE_ID],
      ['*33612345678', MARIE_CURIE_ID],
      ['*442079460958', ALAN_TURING_ID],
      ['*81312345678', KENJI_SATO_ID],
      ['*4930901820', LISE_MEITNER_ID],
    ];
    for (const [term, id] of cases) {
      const res = await search(`role:end-user phone:${term}`);
      expect(res.status).toBe(200);
      expect(ids(res.body), term).toEqual([id]);
    }
  });

  it('needs every digit without the wildcard', async () => {
    expect(ids((await search('role:end-user phone:14155550100')).body)).toEqual([ADA_LOVELACE_ID]);
    expect(ids((await search('role:end-user phone:4155550100')).body)).toEqual([]);
  });

  it('finds nothing when the number is not digits only', async () => {
    for (const term of ['+14155550100', '415-555-0100', '(415)5550100']) {
      const res = await search(`role:end-user phone:${term}`);
      expect(res.body.count, term).toBe(0);
    }
    // An unencoded + arrives as a space, which splits the term: still nothing.
    const raw = await callJson(zendesk, '/api/v2/search.json?query=phone:+14155550100');
    expect(raw.body.count).toBe(0);
  });

  it('returns both users behind a shared family phone, with the documented envelope', async () => {
    const res = await search('role:end-user phone:*4155550199');
    expect(res.body).toMatchObject({
      count: 2,
      next_page: null,
      previous_page: null,
      facets: null,
    });
    expect(ids(res.body)).toEqual([SAM_RIVERA_ID, ALEX_RIVERA_ID]);
    expect(res.body.results[0]).toMatchObject({
      result_type: 'user',
      name: 'Sam Rivera',
      phone: '+1 415 555 0199',
      role: 'end-user',
      url: `${ORIGIN}/api/v2/users/${SAM_RIVERA_ID}.json`,
    });
  });

  it('filters by role and ignores terms it does not model', async () => {
    const agents = await search('role:agent');
    expect(agents.body.results.every((r: { role: string }) => r.role === 'agent')).toBe(true);
    expect((await search('type:user role:end-user phone:*4155550100')).body.count).toBe(1);
    expect((await search('type:ticket phone:*4155550100')).body.count).toBe(0);
    expect((await search('Ada')).body.count).toBe(0);
  });

  it('hides new users until searchIndexDelayMs has passed', async () => {
    let clock = Date.UTC(2025, 5, 1);
    const delayed = createZendeskStandin({ searchIndexDelayMs: 90_000, now: () => clock });
    const created = await callJson(delayed, '/api/v2/users.json', {
      body: { user: { name: 'Caller: 15551234567', phone: '+15551234567' } },
    });
    expect(created.status).toBe(201);
    const find = () =>
      callJson(delayed, `/api/v2/search?query=${encodeURIComponent('phone:*15551234567')}`);
    expect((await find()).body.count).toBe(0);
    // Show user works at once: only search lags behind.
    expect((await callJson(delayed, `/api/v2/users/${created.body.user.id}`)).status).toBe(200);
    clock += 89_999;
    expect((await find()).body.count).toBe(0);
    clock += 1;
    expect((await find()).body.count).toBe(1);
  });

  it('pages with page/per_page and links next and previous pages', async () => {
    const first = await search('role:end-user', '&per_page=3');
    expect(first.body.count).toBe(8);
    expect(first.body.results).toHaveLength(3);
    expect(first.body.previous_page).toBeNull();
    const next = new URL(first.body.next_page);
    expect(next.pathname).toBe('/api/v2/search.json');
    expect(next.searchParams.get('page')).toBe('2');
    const last = await search('role:end-user', '&per_page=3&page=3');
    expect(last.body.results).toHaveLength(2);
    expect(last.body.next_page).toBeNull();
    expect(new URL(last.body.previous_page).searchParams.get('page')).toBe('2');
    const capped = await search('role:end-user', '&per_page=500');
    expect(capped.body.results).toHaveLength(8);
  });

  it('refuses pages past the first 1,000 results with 422', async () => {
    expect((await search('role:end-user', '&page=10&per_page=100')).status).toBe(200);
    const res = await search('role:end-user', '&page=11&per_page=100');
    expect(res.status).toBe(422);
    expect((await search('role:end-user', '&page=21&per_page=50')).status).toBe(422);
  });

  it('refuses cursor pagination with the documented 400 body', async () => {
    const res = await search('role:end-user', '&page[size]=10');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        title: 'Invalid attribute',
        message:
          'You passed an invalid value for the page attribute. Invalid parameter: page must be an integer from api/v2/search/index',
      },
    });
  });

  it('answers 400 without a query', async () => {
    expect((await callJson(zendesk, '/api/v2/search.json')).status).toBe(400);
  });
});

describe('GET /api/v2/users/search', () => {
  it('matches a part of the name, email or phone', async () => {
    const byName = await callJson(zendesk, '/api/v2/users/search.json?query=rivera');
    expect(byName.body.users.map((u: { id: number }) => u.id)).toEqual([
      SAM_RIVERA_ID,
      ALEX_RIVERA_ID,
    ]);
    expect(byName.body).toMatchObject({ count: 2, next_page: null, previous_page: null });
    const byEmail = await callJson(zendesk, '/api/v2/users/search?query=marie.curie%40');
    expect(byEmail.body.users[0].id).toBe(MARIE_CURIE_ID);
    const byPhone = await callJson(zendesk, '/api/v2/users/search?query=7946%200958');
    expect(byPhone.body.users[0].id).toBe(ALAN_TURING_ID);
  });

  it('finds by external_id and answers 400 with neither parameter', async () => {
    zendesk.addUser({ name: 'Ext', external_id: 'crm-42' });
    const res = await callJson(zendesk, '/api/v2/users/search?external_id=crm-42');
    expect(res.body.users.map((u: { name: string }) => u.name)).toEqual(['Ext']);
    expect((await callJson(zendesk, '/api/v2/users/search')).status).toBe(400);
  });
});
