import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  appFetch,
  callRow,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
} from './harness';

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines');
});

const DEFAULTS = {
  mode: 'sequential',
  no_ringback_ms: 5000,
  no_answer_ms: 300000,
  max_concurrent_calls: 0,
};

async function line() {
  const res = await adminFetch('/v1/admin/lines/ai-agent');
  return ((await res.json()) as { line: Record<string, any> }).line;
}

describe('line routing settings', () => {
  it('gives a new line the defaults: targets in order, 5 s, 300 s, no concurrent limit', async () => {
    await createTestLine();
    expect((await line()).routing).toEqual(DEFAULTS);
  });

  it('changes only the routing fields a PATCH names', async () => {
    await createTestLine({ routing: { mode: 'round_robin', max_concurrent_calls: 3 } });
    const res = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { routing: { no_answer_ms: 20_000 } },
    });
    expect(res.status).toBe(200);
    expect((await line()).routing).toEqual({
      ...DEFAULTS,
      mode: 'round_robin',
      max_concurrent_calls: 3,
      no_answer_ms: 20_000,
    });
  });

  it('refuses an out-of-range timer naming the field, without echoing it, and writes nothing', async () => {
    await createTestLine();
    const res = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { name: 'renamed', routing: { no_answer_ms: 987654321, mode: 'round_robin' } },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('987654321');
    const issues = (JSON.parse(text) as { issues: { path: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['routing.no_answer_ms']);
    expect((await line()).name).toBe('AI agent hand-off');
    expect((await line()).routing).toEqual(DEFAULTS);
  });

  it('refuses an unknown mode and an unknown routing field on create', async () => {
    const bad = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'x1',
        name: 'x',
        sip_targets: ['sip:a@192.0.2.1'],
        default_country: 'US',
        routing: { mode: 'random', fastest: true },
      },
    });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toContain('routing.mode');
    expect(paths.some((p) => p.startsWith('routing'))).toBe(true);
    expect((await adminFetch('/v1/admin/lines/x1')).status).toBe(404);
  });

  it('carries each line’s routing to the edge config', async () => {
    await createTestLine({ routing: { no_ringback_ms: 800, max_concurrent_calls: 2 } });
    const res = await edgeFetch('/v1/edge/config');
    const body = (await res.json()) as { lines: { routing: unknown }[] };
    expect(body.lines[0]?.routing).toEqual({
      ...DEFAULTS,
      no_ringback_ms: 800,
      max_concurrent_calls: 2,
    });
  });
});

describe('the OpenAPI document', () => {
  it('describes a line’s routing with its bounds', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as {
      components: { schemas: Record<string, any> };
    };
    const routing = doc.components.schemas.LineRouting;
    expect(Object.keys(routing.properties).sort()).toEqual([
      'max_concurrent_calls',
      'mode',
      'no_answer_ms',
      'no_ringback_ms',
    ]);
    expect(routing.properties.no_answer_ms).toMatchObject({ minimum: 1000, maximum: 3_600_000 });
    expect(doc.components.schemas.LinePatch.properties.routing).toBeDefined();
  });
});

describe('which timer ended the call', () => {
  it.each(['no_ringback_timeout', 'no_answer_timeout'] as const)(
    'records %s from the failed event',
    async (cause) => {
      await createTestLine();
      const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
      await decide(req);
      const res = await edgeFetch('/v1/edge/events', {
        events: [
          {
            call_id: req.call_id,
            kind: 'failed',
            at: new Date().toISOString(),
            sip_code: 408,
            reason: 'Request Timeout',
            cause,
          },
        ],
      });
      expect(res.status).toBe(200);
      expect(await callRow(req.call_id)).toMatchObject({
        status: 'failed',
        final_code: 408,
        final_cause: cause,
      });
      const shown = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
      expect(shown.status).toBe(200);
      const { calls } = (await shown.json()) as { calls: { final: Record<string, unknown> }[] };
      expect(calls[0]?.final).toMatchObject({ code: 408, cause });
    },
  );

  it('keeps older events without a cause valid, and refuses an unknown cause', async () => {
    await createTestLine();
    const req = invite();
    await decide(req);
    const old = await edgeFetch('/v1/edge/events', {
      events: [
        { call_id: req.call_id, kind: 'failed', at: new Date().toISOString(), sip_code: 503 },
      ],
    });
    expect(old.status).toBe(200);
    expect(await callRow(req.call_id)).toMatchObject({ final_code: 503, final_cause: null });
    const unknown = await edgeFetch('/v1/edge/events', {
      events: [
        { call_id: req.call_id, kind: 'ended', at: new Date().toISOString(), cause: 'gremlins' },
      ],
    });
    expect(unknown.status).toBe(400);
  });
});
