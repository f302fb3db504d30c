import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from './app';
import { ADA_LOVELACE_ID, FIRST_NEW_TICKET_ID, OPEN_TICKET_ID } from './seed';
import { call, callJson, ORIGIN } from './test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

describe('authentication', () => {
  it('refuses a request without credentials', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets/1001.json', { auth: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "Couldn't authenticate you" });
  });

  it('refuses a wrong token, a wrong email, a password login and a Bearer token', async () => {
    const wrong = [
      `Basic ${btoa('bridge@example.com/token:nope')}`,
      `Basic ${btoa('someone@example.com/token:standin-token')}`,
      `Basic ${btoa('bridge@example.com:standin-token')}`,
      'Bearer standin-token',
      'Basic %%%not-base64',
    ];
    for (const auth of wrong) {
      const res = await callJson(zendesk, '/api/v2/tickets/1001', { auth });
      expect(res.status, auth).toBe(401);
      expect(res.body.error).toBe("Couldn't authenticate you");
    }
  });

  it('accepts {email}/token:{api_token}, email in any case', async () => {
    expect((await call(zendesk, '/api/v2/tickets/1001')).status).toBe(200);
    const upper = `Basic ${btoa('BRIDGE@example.com/token:standin-token')}`;
    expect((await call(zendesk, '/api/v2/tickets/1001', { auth: upper })).status).toBe(200);
  });

  it('takes credentials from the options', async () => {
    const custom = createZendeskStandin({ email: 'ops@acme.test', apiToken: 's3cret' });
    expect((await call(custom, '/api/v2/tickets/1001')).status).toBe(401);
    const auth = `Basic ${btoa('ops@acme.test/token:s3cret')}`;
    expect((await call(custom, '/api/v2/tickets/1001', { auth })).status).toBe(200);
  });
});

describe('routing and bodies', () => {
  it('answers unknown /api/v2 paths with InvalidEndpoint', async () => {
    for (const path of ['/api/v2/organizations.json', '/api/v2/tickets/1001/audits', '/api/v2']) {
      const res = await callJson(zendesk, path);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ error: 'InvalidEndpoint', description: 'Not found' });
    }
    const del = await callJson(zendesk, '/api/v2/tickets/1001', { method: 'DELETE' });
    expect(del.body.error).toBe('InvalidEndpoint');
  });

  it('answers invalid JSON with 400 Unprocessable JSON', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets.json', { body: '{"ticket":' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Unprocessable JSON');
    expect(res.body.description).toMatch(/not valid JSON/);
  });

  it('treats a body not sent as JSON as missing parameters', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets.json', {
      body: JSON.stringify({ ticket: { comment: { body: 'hi' } } }),
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('ParameterMissing');
    expect(zendesk.state.tickets.has(FIRST_NEW_TICKET_ID)).toBe(false);
  });

  it('puts X-Rate-Limit headers on every answer and counts down within the minute', async () => {
    const first = await call(zendesk, '/api/v2/tickets/1001');
    const second = await call(zendesk, '/api/v2/nothing-here');
    const unauthorized = await call(zendesk, '/api/v2/tickets/1001', { auth: null });
    expect(first.headers.get('X-Rate-Limit')).toBe('700');
    expect(first.headers.get('X-Rate-Limit-Remaining')).toBe('699');
    expect(second.headers.get('X-Rate-Limit-Remaining')).toBe('698');
    expect(unauthorized.headers.get('X-Rate-Limit-Remaining')).toBe('697');
  });
});

describe('faults', () => {
  it('delays answers by latencyMs', async () => {
    const waits: { ms: number; done: () => void }[] = [];
    const slow = createZendeskStandin({
      sleep: (ms) => new Promise<void>((done) => waits.push({ ms, done })),
    });
    slow.setFaults({ latencyMs: 120 });
    let answered = false;
    const res = call(slow, '/api/v2/tickets/1001').finally(() => (answered = true));
    await vi.waitFor(() => expect(waits.map((w) => w.ms)).toEqual([120]));
    expect(answered).toBe(false);
    waits[0]!.done();
    expect((await res).status).toBe(200);
  });

  it('answers 429 like Zendesk, then recovers once the count is used up', async () => {
    zendesk.setFaults({ rateLimit: { count: 2, retryAfter: 7 } });
    for (let i = 0; i < 2; i++) {
      const res = await call(zendesk, '/api/v2/tickets/1001.json');
      expect(res.status).toBe(429);
      expect(res.headers.get('Content-Type')).toBe('text/plain');
      expect(res.headers.get('Retry-After')).toBe('7');
      expect(res.headers.get('X-Rate-Limit')).toBe('700');
      expect(res.headers.get('X-Rate-Limit-Remaining')).toBe('0');
      expect(await res.text()).toBe('Number of allowed API requests per minute exceeded');
    }
    expect(zendesk.faults.rateLimit?.count).toBe(0);
    expect((await call(zendesk, '/api/v2/tickets/1001.json')).status).toBe(200);
  });

  it('answers 5xx for the given count and status, 429s first when both are set', async () => {
    zendesk.setFaults({
      rateLimit: { count: 1, retryAfter: 1 },
      serverError: { count: 2, status: 503 },
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(zendesk, '/api/v2/tickets/1001')).status);
    expect(statuses).toEqual([429, 503, 503, 200]);
    zendesk.setFaults({ serverError: { count: 1 } });
    const res = await callJson(zendesk, '/api/v2/tickets/1001');
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('InternalServerError');
  });

  it('limits faults to failPaths and leaves other paths alone', async () => {
    zendesk.setFaults({ serverError: { count: 5, status: 502 }, failPaths: '^/api/v2/search' });
    expect((await call(zendesk, '/api/v2/tickets/1001')).status).toBe(200);
    const res = await call(zendesk, '/api/v2/search.json?query=phone:1');
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('Bad Gateway');
    expect(zendesk.faults.serverError?.count).toBe(4);
  });

  it('fails a ticket write without changing state', async () => {
    zendesk.setFaults({ serverError: { count: 1 } });
    const body = { ticket: { comment: { body: 'note', public: false } } };
    const res = await call(zendesk, '/api/v2/tickets/1001', { method: 'PUT', body });
    expect(res.status).toBe(500);
    expect(zendesk.state.comments.get(OPEN_TICKET_ID)).toHaveLength(2);
  });

  it('rejects invalid faults with a message naming the problem', () => {
    expect(() => zendesk.setFaults({ serverError: { count: 1, status: 504 as 500 } })).toThrow(
      /500, 502 or 503/,
    );
    expect(() => zendesk.setFaults({ failPaths: '(' })).toThrow(/not a valid regex/);
    expect(() => zendesk.setFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
  });
});

describe('request log', () => {
  it('records every /api/v2 request with method, path, query, time and status', async () => {
    await call(zendesk, '/api/v2/search.json?query=role%3Aend-user%20phone%3A*4155550100');
    await call(zendesk, '/api/v2/tickets/1001', { auth: null });
    await call(zendesk, '/__standin/state');
    expect(zendesk.requests).toHaveLength(2);
    expect(zendesk.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/v2/search.json',
      query: { query: 'role:end-user phone:*4155550100' },
      status: 200,
    });
    expect(zendesk.requests[0]?.at).toBeTypeOf('number');
    expect(zendesk.requests[1]).toMatchObject({ path: '/api/v2/tickets/1001', status: 401 });
    zendesk.clearRequests();
    expect(zendesk.requests).toHaveLength(0);
  });

  it('uses the now option for timestamps', async () => {
    const clocked = createZendeskStandin({ now: () => Date.UTC(2030, 0, 1) });
    await call(clocked, '/api/v2/users/20001');
    expect(clocked.requests[0]?.at).toBe(Date.UTC(2030, 0, 1));
  });
});

describe('control over HTTP and reset', () => {
  const control = (path: string, init: RequestInit = {}) =>
    zendesk.fetch(new Request(`${ORIGIN}/__standin${path}`, init));

  it('sets faults, lists and clears requests, shows state, resets', async () => {
    const set = await control('/faults', {
      method: 'POST',
      body: JSON.stringify({ rateLimit: { count: 1, retryAfter: 2 } }),
    });
    expect(await set.json()).toEqual({ faults: { rateLimit: { count: 1, retryAfter: 2 } } });
    expect((await call(zendesk, '/api/v2/tickets/1001')).status).toBe(429);

    const logged = (await (await control('/requests')).json()) as { count: number };
    expect(logged.count).toBe(1);
    expect((await control('/requests', { method: 'DELETE' })).status).toBe(200);
    expect(zendesk.requests).toHaveLength(0);

    await call(zendesk, '/api/v2/users.json', { body: { user: { name: 'Temp' } } });
    const state = (await (await control('/state')).json()) as { users: { name: string }[] };
    expect(state.users.map((u) => u.name)).toContain('Temp');

    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect([...zendesk.state.users.values()].map((u) => u.name)).not.toContain('Temp');
    expect(zendesk.faults).toEqual({});
  });

  it('refuses bad faults and unknown control paths with 400 / 404', async () => {
    const bad = await control('/faults', { method: 'POST', body: '{"rateLimit":{"count":"x"}}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/rateLimit/);
    expect((await control('/faults', { method: 'POST', body: 'nope' })).status).toBe(400);
    expect((await control('/nothing')).status).toBe(404);
  });

  it('reset restores the seed and starts ticket ids again at 1005', async () => {
    const body = { ticket: { comment: { body: 'first' }, requester_id: ADA_LOVELACE_ID } };
    expect((await callJson(zendesk, '/api/v2/tickets', { body })).body.ticket.id).toBe(1005);
    zendesk.reset();
    expect((await callJson(zendesk, '/api/v2/tickets', { body })).body.ticket.id).toBe(1005);
    expect(zendesk.state.tickets.size).toBe(5);
  });

  it('starts with only the API user when seed is off', () => {
    const empty = createZendeskStandin({ seed: false });
    expect(empty.state.tickets.size).toBe(0);
    expect([...empty.state.users.values()].map((u) => u.email)).toEqual(['bridge@example.com']);
  });
});
