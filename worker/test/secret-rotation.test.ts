// Rotating EDGE_SECRET, APP_JWT_SECRET and ADMIN_TOKEN without a gap: while `<NAME>_PREVIOUS` is
// set, the old value is accepted beside the new one, through the whole Worker.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import worker from '../src/index';
import { forgetSecretLogs } from '../src/auth/rotating-secret';
import type { Env } from '../src/env';
import { appHeaders, appToken, BASE, installStandin } from './harness';

/** Sends the request that `value` authenticates to the Worker running with these settings. */
type Send = (value: string, settings: Partial<Env>) => Promise<Response>;

async function fetchWith(request: Request, settings: Partial<Env>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...settings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const sendEdge: Send = async (secret, settings) => {
  const url = `${BASE}/v1/edge/config`;
  const headers = await signEdgeRequest(secret, { method: 'GET', url, body: '' });
  return fetchWith(new Request(url, { headers }), settings);
};

const sendApp: Send = async (secret, settings) => {
  const headers = await appHeaders({ jwt: await appToken({}, secret) });
  return fetchWith(
    new Request(`${BASE}/v1/tickets/${OPEN_TICKET_ID}/calls`, { headers }),
    settings,
  );
};

const sendAdmin: Send = (token, settings) =>
  fetchWith(
    new Request(`${BASE}/v1/admin/lines`, { headers: { Authorization: `Bearer ${token}` } }),
    settings,
  );

const cases = [
  {
    name: 'EDGE_SECRET',
    send: sendEdge,
    current: 'edge-secret-new-0123456789abcdef',
    old: 'edge-secret-old-0123456789abcdef',
    // 15 characters: one short of the 16 the current value needs.
    tooShort: 'edge-old-15char',
  },
  {
    name: 'APP_JWT_SECRET',
    send: sendApp,
    current: 'app-jwt-secret-new-0123456789abcdef',
    old: 'app-jwt-secret-old-0123456789abcdef',
    // 31 bytes: one short of the 32 the current value needs.
    tooShort: 'app-jwt-secret-old-0123456789ab',
  },
  {
    name: 'ADMIN_TOKEN',
    send: sendAdmin,
    current: 'admin-token-new-0123456789abcdef',
    old: 'admin-token-old-0123456789abcdef',
    tooShort: 'admin-old-15chr',
  },
] as const;

beforeEach(() => {
  installStandin();
  forgetSecretLogs();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything the Worker logged, as one string per call, to look for names and values. */
function logged(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((args) => args.map(String).join(' '));
}

describe.each(cases)('rotating $name', ({ name, send, current, old, tooShort }) => {
  const previousName = `${name}_PREVIOUS`;
  const rotating = { [name]: current, [previousName]: old } as Partial<Env>;
  const rotated = { [name]: current } as Partial<Env>;

  it('accepts the current value while the previous one is set', async () => {
    expect((await send(current, rotating)).status).toBe(200);
  });

  it('accepts the previous value, answers exactly as for the current one, and logs only its name', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const withPrevious = await send(old, rotating);
    expect(withPrevious.status).toBe(200);
    const withCurrent = await send(current, rotating);
    // Nothing in the answer tells which value matched.
    expect([...withPrevious.headers.keys()]).toEqual([...withCurrent.headers.keys()]);
    expect(await withPrevious.text()).toBe(await withCurrent.text());
    const lines = logged(info);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(previousName);
    expect(lines[0]).not.toContain(old);
    expect(lines[0]).not.toContain(current);
  });

  it('logs the use of the previous value at most once a minute', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    expect((await send(old, rotating)).status).toBe(200);
    expect((await send(old, rotating)).status).toBe(200);
    expect(logged(info)).toHaveLength(1);
  });

  it('refuses the old value once the previous one is deleted (or never set)', async () => {
    const res = await send(old, rotated);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'unauthorized',
      message: 'Missing or invalid credentials.',
    });
    expect((await send(current, rotated)).status).toBe(200);
  });

  it('ignores an empty previous value without a word', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const settings = { ...rotated, [previousName]: '' } as Partial<Env>;
    expect((await send(current, settings)).status).toBe(200);
    expect(logged(error)).toEqual([]);
  });

  it('refuses a wrong value with the usual 401, rotation or not', async () => {
    const wrong = `${old}-but-wrong`;
    for (const settings of [rotating, rotated]) {
      const res = await send(wrong, settings);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: 'unauthorized',
        message: 'Missing or invalid credentials.',
      });
    }
  });

  it('ignores a previous value shorter than the minimum, with one error naming the variable', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const settings = { ...rotated, [previousName]: tooShort } as Partial<Env>;
    expect((await send(tooShort, settings)).status).toBe(401);
    expect((await send(current, settings)).status).toBe(200);
    expect((await send(tooShort, settings)).status).toBe(401);
    const lines = logged(error);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${previousName} is ignored`);
    expect(lines[0]).not.toContain(tooShort);
  });

  it('still refuses everything when the current value is missing, whatever the previous one', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const settings = { [name]: '', [previousName]: old } as Partial<Env>;
    expect((await send(old, settings)).status).toBe(401);
    expect(logged(error).join('\n')).toContain(name);
  });
});
