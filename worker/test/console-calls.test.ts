// The call log (issue 17): every filter, keyset paging without gaps or repeats, one call's details
// in the sidebar's shape, the console's admin check and the admin token's twin, refused filters.
import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { callLogStatement } from '../src/reports/call-log';
import { adminFetch, appFetch, BASE, createTestLine, installStandin } from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;
const NY = 'America/New_York';

const consoleFetch = (path: string, agentToken: string = ADMIN) =>
  appFetch(path, undefined, { agentToken });

type Item = {
  call_id: string;
  received_at: string;
  line: { slug: string; name: string | null };
  caller: { e164: string | null; display: string | null; kind: string };
  status: string;
  ticket_id: number | null;
  duration_s: number | null;
  cost_usd: string | null;
};
type Page = { calls: Item[]; next_cursor: string | null; time_zone: string };
type Issues = { error: string; issues: { path: string; message: string }[] };

let seq = 0;
async function seedCall(
  callId: string,
  line: string,
  receivedAt: string,
  opts: {
    e164?: string | null;
    kind?: string;
    ticket?: number | null;
    status?: string;
    talk?: number;
  } = {},
) {
  seq += 1;
  const answered = opts.talk === undefined ? null : receivedAt;
  const ended =
    opts.talk === undefined
      ? null
      : new Date(Date.parse(receivedAt) + opts.talk * 1000).toISOString();
  await env.DB.prepare(
    `INSERT INTO calls (call_id, line_id, line_slug, source_ip, from_uri, to_uri, request_uri,
       caller_e164, caller_kind, match_result, ticket_id, ticket_link, decision, status, received_at,
       answered_at, ended_at, duration_s, cost_micros, seq, created_at, updated_at)
     VALUES (?, (SELECT id FROM lines WHERE slug = ?), ?, '192.0.2.10', 'sip:a@x', 'sip:b@x',
       'sip:b@x', ?, ?, 'no_match', ?, ?, 'relay', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      callId,
      line,
      line,
      opts.e164 === undefined ? '+14155550100' : opts.e164,
      opts.kind ?? (opts.e164 === null ? 'withheld' : 'e164'),
      opts.ticket ?? null,
      opts.ticket ? 'passed' : 'none',
      opts.status ?? (opts.talk === undefined ? 'cancelled' : 'completed'),
      receivedAt,
      answered,
      ended,
      opts.talk ?? null,
      opts.talk === undefined ? null : Math.ceil(opts.talk / 60) * 10_000,
      seq,
      receivedAt,
      receivedAt,
    )
    .run();
}

const ids = (page: Page) => page.calls.map((c) => c.call_id);
async function page(query: string, token: string = ADMIN): Promise<Page> {
  const res = await consoleFetch(`/v1/console/calls${query}`, token);
  expect(res.status, query).toBe(200);
  return (await res.json()) as Page;
}

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine();
  await createTestLine({ slug: 'paris', name: 'Paris office', default_country: 'FR' });
  // Newest first: c5 … c1. c2 is 23:30 on Oct 31 in New York but Nov 1 in UTC.
  await seedCall('c1', 'ai-agent', '2026-10-30T15:00:00.000Z', { ticket: 1001, talk: 61 });
  await seedCall('c2', 'ai-agent', '2026-11-01T03:30:00.000Z', { e164: '+14155550199' });
  await seedCall('c3', 'paris', '2026-11-01T09:00:00.000Z', {
    e164: '+33612345678',
    ticket: 1002,
    talk: 30,
  });
  await seedCall('c4', 'paris', '2026-11-02T10:00:00.000Z', { e164: null, status: 'failed' });
  await seedCall('c5', 'ai-agent', '2026-11-03T12:00:00.000Z', {
    ticket: 1001,
    status: 'rejected',
  });
});

describe('the call log’s filters', () => {
  it('lists every call newest first with what the list needs, in the account’s zone', async () => {
    const all = await page('');
    expect(ids(all)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(all.time_zone).toBe('UTC');
    expect(all.next_cursor).toBeNull();
    expect(all.calls.at(-1)).toEqual({
      call_id: 'c1',
      received_at: '2026-10-30T15:00:00.000Z',
      line: { slug: 'ai-agent', name: 'AI agent hand-off' },
      caller: { e164: '+14155550100', display: '+1 415 555 0100', kind: 'e164' },
      status: 'completed',
      ticket_id: 1001,
      duration_s: 61,
      cost_usd: '0.02',
    });
    expect(all.calls[0]).toMatchObject({ call_id: 'c5', duration_s: null, cost_usd: null });
  });

  it('finds a caller by the number in any form people type, on each line’s country', async () => {
    for (const typed of ['(415) 555-0100', '+1 415-555-0100', '415.555.0100', '+14155550100']) {
      expect(ids(await page(`?number=${encodeURIComponent(typed)}`)), typed).toEqual(['c5', 'c1']);
    }
    // A French national number, read in the Paris line's country.
    expect(ids(await page(`?number=${encodeURIComponent('06 12 34 56 78')}`))).toEqual(['c3']);
    expect(ids(await page('?number=anonymous'))).toEqual(['c4']);
    expect(ids(await page(`?number=${encodeURIComponent('+44 20 7946 0000')}`))).toEqual([]);
  });

  it('filters by ticket, line, status and local days, and combines them', async () => {
    expect(ids(await page('?ticket=1001'))).toEqual(['c5', 'c1']);
    expect(ids(await page('?line=paris'))).toEqual(['c4', 'c3']);
    expect(ids(await page('?status=completed'))).toEqual(['c3', 'c1']);
    expect(ids(await page('?from=2026-11-01&to=2026-11-02'))).toEqual(['c4', 'c3', 'c2']);
    const ny = await page(`?from=2026-11-01&to=2026-11-02&time_zone=${NY}`);
    expect(ids(ny)).toEqual(['c4', 'c3']);
    expect(ny.time_zone).toBe(NY);
    expect(ids(await page('?from=2026-11-02'))).toEqual(['c5', 'c4']);
    expect(ids(await page('?to=2026-10-31'))).toEqual(['c1']);
    expect(ids(await page('?ticket=1001&status=rejected'))).toEqual(['c5']);
    expect(ids(await page('?line=ai-agent&number=4155550199'))).toEqual(['c2']);
    expect(ids(await page('?line=paris&ticket=1001'))).toEqual([]);
  });
});

describe('paging', () => {
  it('walks every call once, in order, with ties on received_at, while new calls arrive', async () => {
    // Eight more calls in the same millisecond: the record breaks the tie.
    for (let i = 0; i < 8; i++) await seedCall(`t${i}`, 'ai-agent', '2026-11-01T12:00:00.000Z');
    const everything = ids(await page('?limit=100'));
    expect(everything).toHaveLength(13);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: Page = await page(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(next.calls.length).toBeLessThanOrEqual(3);
      seen.push(...ids(next));
      cursor = next.next_cursor;
      pages += 1;
      // A call arriving mid-walk is newer than the walk: it never shows in a later page.
      if (pages === 2) await seedCall('late', 'ai-agent', '2026-12-01T00:00:00.000Z');
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(everything);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('keeps the filters across pages', async () => {
    const first = await page('?ticket=1001&limit=1');
    expect(ids(first)).toEqual(['c5']);
    const second = await page(`?ticket=1001&limit=1&cursor=${first.next_cursor}`);
    expect(ids(second)).toEqual(['c1']);
    expect(second.next_cursor).toBeNull();
  });
});

describe('refused filters', () => {
  it('answers 400 naming the field, never echoing what was sent', async () => {
    const cases: [string, string][] = [
      ['number=call-me-maybe', 'number'],
      ['number=', 'number'],
      ['ticket=12ab', 'ticket'],
      ['ticket=0', 'ticket'],
      ['line=Bad_Line', 'line'],
      ['status=exploded', 'status'],
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-11-02&to=2026-11-01', 'from'],
      ['time_zone=Mars/Olympus', 'time_zone'],
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['cursor=c2VjcmV0LXNhdWNl', 'cursor'],
      ['cursor=%E2%9C%93not-base64', 'cursor'],
    ];
    for (const [query, path] of cases) {
      for (const url of [`/v1/console/calls?${query}`]) {
        const res = await consoleFetch(url);
        expect(res.status, url).toBe(400);
        const body = (await res.json()) as Issues;
        expect(
          body.issues.map((i) => i.path),
          url,
        ).toEqual([path]);
        const sent = decodeURIComponent(query.split('=')[1]!);
        if (sent.length > 2) expect(JSON.stringify(body), url).not.toContain(sent);
      }
    }
    const bad = await adminFetch('/v1/reports/calls?number=call-me-maybe');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Issues).issues.map((i) => i.path)).toEqual(['number']);
  });
});

describe('one call’s details', () => {
  it('answers the sidebar’s record of the call, to the console and to the admin token', async () => {
    const sidebar = (await (await consoleFetch('/v1/tickets/1001/calls', AGENT)).json()) as {
      calls: { call_id: string }[];
    };
    const inSidebar = sidebar.calls.find((c) => c.call_id === 'c1');
    expect(inSidebar).toBeDefined();
    const res = await consoleFetch('/v1/console/calls/c1');
    expect(res.status).toBe(200);
    const details = (await res.json()) as { call: unknown };
    expect(details.call).toEqual(inSidebar);
    const viaToken = await adminFetch('/v1/reports/calls/c1');
    expect(viaToken.status).toBe(200);
    expect(await viaToken.json()).toEqual(details);
  });

  it('answers 404 for a Call-ID it does not have, and keeps /v1/reports/calls/export the export', async () => {
    const missing = await consoleFetch('/v1/console/calls/no-such-call');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(await missing.json())).not.toContain('no-such-call');
    // A Call-ID may hold a slash (SIP allows it): encoded, it is still one path segment.
    await seedCall('a/b@carrier.example', 'ai-agent', '2026-11-04T00:00:00.000Z');
    const slash = await consoleFetch(
      `/v1/console/calls/${encodeURIComponent('a/b@carrier.example')}`,
    );
    expect(slash.status).toBe(200);
    expect(((await slash.json()) as { call: { call_id: string } }).call.call_id).toBe(
      'a/b@carrier.example',
    );
    const bad = await consoleFetch('/v1/console/calls/has%20space');
    expect(bad.status).toBe(400);
    const exp = await adminFetch('/v1/reports/calls/export?start_time=0');
    expect(exp.status).toBe(200);
    expect(((await exp.json()) as { calls: unknown[] }).calls).toHaveLength(6);
  });
});

describe('who may read the call log', () => {
  it('refuses an agent and the admin token on the console, and the console’s proofs on reports', async () => {
    for (const path of ['/calls', '/calls/c1']) {
      const byAgent = await consoleFetch(`/v1/console${path}`, AGENT);
      expect(byAgent.status).toBe(403);
      const body = (await byAgent.json()) as Issues;
      expect(body.error).toBe('admin_required');
      expect(JSON.stringify(body)).not.toContain('c1');
      expect((await adminFetch(`/v1/console${path}`)).status).toBe(401);
      expect((await consoleFetch(`/v1/reports${path}`)).status).toBe(401);
      expect((await adminFetch(`/v1/reports${path}`, { token: 'not-the-token' })).status).toBe(401);
      expect((await adminFetch(`/v1/reports${path}`)).status).toBe(200);
    }
    const unsigned = await exports.default.fetch(new Request(`${BASE}/v1/console/calls`));
    expect(unsigned.status).toBe(401);
  });

  it('answers the admin token the same page as the console', async () => {
    const viaToken = await adminFetch('/v1/reports/calls?line=paris');
    expect(viaToken.status).toBe(200);
    expect(await viaToken.json()).toEqual(await page('?line=paris'));
  });
});

describe('the OpenAPI document and the query plans', () => {
  it('documents the call log for the console and the admin token', async () => {
    const res = await exports.default.fetch(
      new Request(`${BASE}/openapi.json`, {
        headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` },
      }),
    );
    const doc = (await res.json()) as {
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
    };
    for (const prefix of ['/v1/console', '/v1/reports']) {
      const list = doc.paths[`${prefix}/calls`]?.get;
      expect(list?.parameters?.map((p) => p.name).sort()).toEqual([
        'cursor',
        'from',
        'limit',
        'line',
        'number',
        'status',
        'ticket',
        'time_zone',
        'to',
      ]);
      expect(doc.paths[`${prefix}/calls/{call_id}`]?.get).toBeDefined();
    }
  });

  it('reads each filter through an index, never a scan of calls', async () => {
    const plan = async (q: Parameters<typeof callLogStatement>[0]) => {
      const { sql, values } = callLogStatement(q);
      return (
        await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .bind(...values)
          .all<{ detail: string }>()
      ).results
        .map((r) => r.detail)
        .join('\n');
    };
    const base = { timeZone: 'UTC', limit: 25 };
    const cases: [Parameters<typeof callLogStatement>[0], string][] = [
      [base, 'calls_received'],
      [{ ...base, status: 'failed' }, 'calls_status'],
      [{ ...base, ticketId: 1001 }, 'calls_ticket'],
      [{ ...base, line: 'paris' }, 'calls_usage'],
      [{ ...base, caller: { e164: ['+14155550100'] } }, 'calls_caller'],
    ];
    for (const [q, index] of cases) {
      const p = await plan(q);
      expect(p, index).toContain(index);
      expect(p, index).not.toMatch(/SCAN c\b(?! USING)/);
    }
  });
});
