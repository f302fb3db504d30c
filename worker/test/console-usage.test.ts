// Usage and peaks (issue 17): per line and local day across a DST change, reconcilable with
// Zendesk's per-minute billing, as JSON and CSV, and the weekday × hour heat map with its peak.
import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { callCostMicros } from '../src/calls/cost';
import { HEATMAP_SQL } from '../src/reports/heatmap';
import { USAGE_BY_DAY_SQL } from '../src/reports/usage';
import { adminFetch, appFetch, BASE, createTestLine, installStandin } from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;
const NY = 'America/New_York';
/** A line name that needs quoting in CSV. */
const CARRIER_NAME = 'Carrier, "North"';
const PRICES: Record<string, number> = { 'ai-agent': 10_000, carrier: 5_000 };

const consoleFetch = (path: string, agentToken: string = ADMIN) =>
  appFetch(path, undefined, { agentToken });

let seq = 0;
/** A call record as the Worker keeps it: received, maybe answered after `ring` s, talking `talk` s. */
async function seedCall(
  line: string,
  receivedAt: string,
  opts: { ring?: number; talk?: number; status?: string; decision?: string; endedAt?: string } = {},
) {
  seq += 1;
  const received = Date.parse(receivedAt);
  const answered = opts.talk === undefined ? null : received + (opts.ring ?? 0) * 1000;
  const ended =
    opts.endedAt ??
    (answered === null ? null : new Date(answered + opts.talk! * 1000).toISOString());
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  await env.DB.prepare(
    `INSERT INTO calls (call_id, line_id, line_slug, source_ip, from_uri, to_uri, request_uri,
       caller_kind, match_result, ticket_link, decision, status, received_at, answered_at, ended_at,
       duration_s, cost_micros, seq, created_at, updated_at)
     VALUES (?, (SELECT id FROM lines WHERE slug = ?), ?, '192.0.2.10', 'sip:a@x', 'sip:b@x',
       'sip:b@x', 'e164', 'no_match', 'none', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      `usage-${seq}`,
      line,
      line,
      opts.decision ?? 'relay',
      opts.status ?? (answered === null ? 'cancelled' : 'completed'),
      receivedAt,
      iso(answered),
      ended,
      opts.talk ?? null,
      opts.talk === undefined ? null : callCostMicros(opts.talk, PRICES[line]!),
      seq,
      receivedAt,
      receivedAt,
    )
    .run();
}

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine();
  await createTestLine({ slug: 'carrier', name: CARRIER_NAME, price_per_minute_micros: 5_000 });
  // New York leaves DST on Sunday 2026-11-01 at 06:00Z: that local day runs 04:00Z to 05:00Z next day.
  await seedCall('ai-agent', '2026-10-31T03:30:00.000Z', { talk: 10 }); // Oct 30, 23:30 EDT
  await seedCall('ai-agent', '2026-11-01T03:30:00.000Z', { talk: 10 }); // Oct 31, 23:30 EDT
  await seedCall('ai-agent', '2026-11-01T04:30:00.000Z', { ring: 5, talk: 61 }); // Nov 1, 00:30 EDT
  await seedCall('ai-agent', '2026-11-02T04:30:00.000Z', { ring: 5, talk: 30 }); // Nov 1, 23:30 EST
  await seedCall('carrier', '2026-11-01T15:00:00.000Z', { endedAt: '2026-11-01T15:00:20.000Z' });
  // Monday 10:00 EST: three overlapping calls (peak 3 from 15:08 to 15:10), one lasting into 11:00.
  await seedCall('carrier', '2026-11-02T15:00:00.000Z', { talk: 1200 });
  await seedCall('carrier', '2026-11-02T15:05:00.000Z', { talk: 300 });
  await seedCall('carrier', '2026-11-02T15:08:00.000Z', { talk: 3720 });
  await seedCall('carrier', '2026-11-02T15:09:00.000Z', {
    decision: 'reject',
    status: 'rejected',
    endedAt: '2026-11-02T15:09:00.000Z',
  });
});

type Report = {
  time_zone: string;
  usage: Record<string, unknown>[];
  totals: Record<string, unknown>;
};
type Issues = { error: string; message: string; issues: { path: string; message: string }[] };

describe('usage per line and local day', () => {
  it('counts days in the account’s zone across a 25-hour DST day, with totals', async () => {
    const res = await consoleFetch(
      `/v1/console/usage?from=2026-11-01&to=2026-11-02&time_zone=${NY}`,
    );
    expect(res.status).toBe(200);
    const report = (await res.json()) as Report;
    expect(report.time_zone).toBe(NY);
    expect(report.usage).toEqual([
      {
        day: '2026-11-01',
        line: 'ai-agent',
        line_name: 'AI agent hand-off',
        calls: 2,
        answered: 2,
        answered_rate: 1,
        rejected: 0,
        minutes: 3,
        cost_micros: 30_000,
        cost_usd: '0.03',
      },
      {
        day: '2026-11-01',
        line: 'carrier',
        line_name: CARRIER_NAME,
        calls: 1,
        answered: 0,
        answered_rate: 0,
        rejected: 0,
        minutes: 0,
        cost_micros: 0,
        cost_usd: '0.00',
      },
      {
        day: '2026-11-02',
        line: 'carrier',
        line_name: CARRIER_NAME,
        calls: 4,
        answered: 3,
        answered_rate: 0.75,
        rejected: 1,
        minutes: 87,
        cost_micros: 435_000,
        cost_usd: '0.435',
      },
    ]);
    // Reconcilable with Zendesk's usage page: billed minutes × the line's price per minute.
    for (const row of report.usage) {
      expect(row.cost_micros).toBe((row.minutes as number) * PRICES[row.line as string]!);
    }
    expect(report.totals).toEqual({
      calls: 7,
      answered: 5,
      answered_rate: 0.7143,
      rejected: 1,
      minutes: 90,
      cost_micros: 465_000,
      cost_usd: '0.465',
    });
  });

  it('defaults to UTC days, where the late call of the DST day falls on the next day', async () => {
    const res = await consoleFetch('/v1/console/usage?from=2026-11-01&to=2026-11-01');
    const report = (await res.json()) as Report;
    expect(report.time_zone).toBe('UTC');
    expect(report.usage.map((r) => [r.line, r.calls])).toEqual([
      ['ai-agent', 2],
      ['carrier', 1],
    ]);
  });

  it('answers the same report to the admin token on /v1/reports/usage, and one line alone', async () => {
    const path = `/usage?from=2026-11-01&to=2026-11-02&time_zone=${NY}`;
    const viaConsole = await (await consoleFetch(`/v1/console${path}`)).json();
    const viaToken = await adminFetch(`/v1/reports${path}`);
    expect(viaToken.status).toBe(200);
    expect(await viaToken.json()).toEqual(viaConsole);
    const one = (await (await adminFetch(`/v1/reports${path}&line=carrier`)).json()) as Report;
    expect(one.usage.map((r) => r.line)).toEqual(['carrier', 'carrier']);
  });

  it('refuses a bad zone, bad dates and a range over 92 days, naming the field only', async () => {
    const cases: [string, string][] = [
      ['from=2026-11-01&to=2026-11-02&time_zone=Mars/Olympus_Mons', 'time_zone'],
      ['from=2026-13-01&to=2026-11-02', 'from'],
      ['from=2026-11-01&to=tomorrow', 'to'],
      ['from=2026-11-02&to=2026-11-01', 'from'],
      ['from=2026-01-01&to=2026-04-03', 'to'],
    ];
    for (const [query, path] of cases) {
      for (const url of [`/v1/console/usage?${query}`, `/v1/console/usage.csv?${query}`]) {
        const res = await consoleFetch(url);
        expect(res.status, url).toBe(400);
        const body = (await res.json()) as Issues;
        expect(body.issues.map((i) => i.path)).toEqual([path]);
        expect(JSON.stringify(body)).not.toMatch(/Mars|tomorrow|2026-13/);
      }
    }
    const quarter = await consoleFetch('/v1/console/usage?from=2026-01-01&to=2026-04-02');
    expect(quarter.status).toBe(200);
  });

  it('refuses an agent on the console routes, and the admin token there', async () => {
    for (const path of ['/usage', '/usage.csv', '/usage/heatmap']) {
      const url = `/v1/console${path}?from=2026-11-01&to=2026-11-02`;
      const byAgent = await consoleFetch(url, AGENT);
      expect(byAgent.status).toBe(403);
      expect(((await byAgent.json()) as Issues).error).toBe('admin_required');
      expect((await adminFetch(url)).status).toBe(401);
    }
  });
});

describe('usage as CSV', () => {
  it('answers RFC 4180 CSV with a header row, quoting the line name, as a named attachment', async () => {
    const res = await consoleFetch(
      `/v1/console/usage.csv?from=2026-11-01&to=2026-11-02&time_zone=${NY}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
    expect(res.headers.get('Content-Disposition')).toBe(
      'attachment; filename="usage-2026-11-01-2026-11-02-America_New_York.csv"',
    );
    expect((await res.text()).split('\r\n')).toEqual([
      'day,line,line_name,calls,answered,answered_rate,rejected,minutes,cost_micros,cost_usd',
      '2026-11-01,ai-agent,AI agent hand-off,2,2,1,0,3,30000,0.03',
      '2026-11-01,carrier,"Carrier, ""North""",1,0,0,0,0,0,0.00',
      '2026-11-02,carrier,"Carrier, ""North""",4,3,0.75,1,87,435000,0.435',
      '',
    ]);
  });
});

describe('the usage heat map', () => {
  it('counts calls and the concurrent peak per local weekday and hour', async () => {
    const res = await consoleFetch(
      `/v1/console/usage/heatmap?from=2026-11-01&to=2026-11-02&time_zone=${NY}`,
    );
    expect(res.status).toBe(200);
    const { cells } = (await res.json()) as {
      cells: { weekday: number; hour: number; calls: number; peak_concurrent: number }[];
    };
    expect(cells).toHaveLength(168);
    const busy = cells.filter((c) => c.calls > 0 || c.peak_concurrent > 0);
    // Sunday (6) 00:30 EDT and 23:30 EST, the ringing call at 10:00 EST; Monday (0) 10:00-11:10 EST.
    expect(busy).toEqual([
      { weekday: 0, hour: 10, calls: 4, peak_concurrent: 3 },
      { weekday: 0, hour: 11, calls: 0, peak_concurrent: 1 },
      { weekday: 6, hour: 0, calls: 1, peak_concurrent: 1 },
      { weekday: 6, hour: 10, calls: 1, peak_concurrent: 1 },
      { weekday: 6, hour: 23, calls: 1, peak_concurrent: 1 },
    ]);
  });

  it('covers a whole quarter across both DST changes, in a half-hour zone too', async () => {
    for (const zone of [NY, 'Asia/Kolkata']) {
      const res = await consoleFetch(
        `/v1/console/usage/heatmap?from=2026-09-01&to=2026-12-01&time_zone=${zone}`,
      );
      expect(res.status).toBe(200);
      const { cells } = (await res.json()) as { cells: { calls: number }[] };
      expect(cells.reduce((n, c) => n + c.calls, 0)).toBe(9);
    }
  });

  it('answers the admin token on /v1/reports/usage/heatmap', async () => {
    const res = await adminFetch(
      '/v1/reports/usage/heatmap?from=2026-11-02&to=2026-11-02&time_zone=UTC',
    );
    expect(res.status).toBe(200);
    const { cells } = (await res.json()) as { cells: { calls: number }[] };
    expect(cells.reduce((n, c) => n + c.calls, 0)).toBe(5);
  });
});

describe('the OpenAPI document', () => {
  it('documents the usage routes for the console and the admin token', async () => {
    const res = await exports.default.fetch(
      new Request(`${BASE}/openapi.json`, {
        headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` },
      }),
    );
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const prefix of ['/v1/console', '/v1/reports']) {
      for (const path of ['/usage', '/usage.csv', '/usage/heatmap']) {
        expect(doc.paths[`${prefix}${path}`]?.get, `${prefix}${path}`).toBeDefined();
      }
    }
  });
});

describe('bounded scans', () => {
  it('reads calls through the received_at index for both reports', async () => {
    const plan = async (sql: string, ...args: unknown[]) =>
      (
        await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .bind(...args)
          .all<{ detail: string }>()
      ).results
        .map((r) => r.detail)
        .join('\n');
    const day = ['2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'];
    expect(await plan(USAGE_BY_DAY_SQL, JSON.stringify([day]), null)).toMatch(
      /SEARCH c USING INDEX calls_received/,
    );
    const heat = await plan(HEATMAP_SQL, day[1], day[2], day[2], '2026-10-31T04:00:00.000Z', null);
    expect(heat).toMatch(/USING INDEX calls_received/);
    expect(heat).not.toMatch(/SCAN calls/);
  });
});
