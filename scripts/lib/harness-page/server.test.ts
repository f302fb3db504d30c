// The harness page server (npm start's sidebar page): loopback, its own Host, a per-run token, and
// no writes to Zendesk with the account's credentials.
import { request } from 'node:http';
import { verify } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_JWT_AUDIENCE } from '@sip-bridge/contract/app-auth';
import { startZendeskStandin, type RunningStandin } from '@sip-bridge/zendesk-standin/server';
import { DEMO_OAUTH_TOKENS, GRACE_HOPPER_AGENT_ID } from '@sip-bridge/zendesk-standin/seed';
import { startHarness, type Harness } from './server';

let zendesk: RunningStandin;
let harness: Harness;
let installation: string;

beforeAll(async () => {
  zendesk = await startZendeskStandin({ port: 0, log: false });
  harness = await startHarness({
    appDist: new URL('.', import.meta.url).pathname,
    zendesk: { url: zendesk.url, email: 'bridge@example.com', apiToken: 'standin-token' },
  });
  const page = harness.install({
    settings: { api_url: 'http://127.0.0.1:9', shared_secret: 's'.repeat(32) },
    secureSettings: ['shared_secret'],
    domainWhitelist: ['127.0.0.1'],
    currentUser: { id: GRACE_HOPPER_AGENT_ID, name: 'Grace Hopper', role: 'agent' },
    agentToken: DEMO_OAUTH_TOKENS.graceHopper,
  })({ ticket: 1001 });
  installation = new URL(page).searchParams.get('installation')!;
});

afterAll(async () => {
  await harness?.close();
  await zendesk?.close();
});

/** A raw request, so the Host header can be anything (fetch does not let it be set). */
function raw(path: string, headers: Record<string, string>, method = 'GET', body?: string) {
  const { hostname, port } = new URL(harness.harnessUrl);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const zafRequest = (options: object, run = harness.runToken) =>
  fetch(`${harness.harnessUrl}/__zaf/request?installation=${installation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Harness-Run': run },
    body: JSON.stringify(options),
  });

describe('the sidebar page server', () => {
  it('opens each installation in its location: the sidebar, or the admin console (nav_bar)', async () => {
    const consolePage = harness.install({
      settings: { api_url: 'http://127.0.0.1:9', shared_secret: 's'.repeat(32) },
      secureSettings: ['shared_secret'],
      domainWhitelist: ['127.0.0.1'],
      currentUser: { id: GRACE_HOPPER_AGENT_ID, name: 'Grace Hopper', role: 'admin' },
      location: 'nav_bar',
    })({});
    const read = async (id: string) =>
      (await (
        await fetch(`${harness.harnessUrl}/__zaf/installations/${id}`, {
          headers: { 'X-Harness-Run': harness.runToken },
        })
      ).json()) as { appUrl: string; location: string };
    expect(await read(installation)).toMatchObject({
      location: 'ticket_sidebar',
      appUrl: expect.stringMatching(/\/assets\/iframe\.html$/),
    });
    const consoleId = new URL(consolePage).searchParams.get('installation')!;
    expect(await read(consoleId)).toMatchObject({
      location: 'nav_bar',
      appUrl: expect.stringMatching(/\/assets\/console\.html$/),
    });
  });

  it('answers a request naming another host with 421 (DNS rebinding)', async () => {
    const res = await raw('/', { Host: 'attacker.example:80' });
    expect(res.status).toBe(421);
    expect(res.text).not.toContain(harness.runToken);
  });

  it('puts the run token in its own page only', async () => {
    const html = await (await fetch(`${harness.harnessUrl}/?ticket=1001`)).text();
    expect(html).toContain(`<meta name="harness-run" content="${harness.runToken}">`);
  });

  it('refuses the installation and proxy endpoints without the run token', async () => {
    const path = `/__zaf/installations/${installation}`;
    expect((await fetch(harness.harnessUrl + path)).status).toBe(403);
    const wrong = await fetch(harness.harnessUrl + path, { headers: { 'X-Harness-Run': 'x' } });
    expect(wrong.status).toBe(403);
    const right = await fetch(harness.harnessUrl + path, {
      headers: { 'X-Harness-Run': harness.runToken },
    });
    expect(right.status).toBe(200);
    // Non-secure settings only, and never the agent's token.
    const text = await right.text();
    expect(text).not.toContain('s'.repeat(32));
    expect(text).not.toContain(DEMO_OAUTH_TOKENS.graceHopper);
    expect((await zafRequest({ url: '/api/v2/users/me.json' }, 'nope')).status).toBe(403);
  });

  it('never forwards a write to Zendesk, and reads as the signed-in agent', async () => {
    zendesk.standin.clearRequests();
    for (const type of ['POST', 'PUT', 'DELETE']) {
      const res = await zafRequest({ url: '/api/v2/tickets/1001.json', type, data: '{}' });
      expect(((await res.json()) as { status: number }).status, type).toBe(403);
    }
    expect(zendesk.standin.requests).toHaveLength(0);
    const me = await zafRequest({ url: '/api/v2/users/me.json' });
    const out = (await me.json()) as { status: number; responseText: string };
    expect(out.status).toBe(200);
    expect(JSON.parse(out.responseText).user.id).toBe(GRACE_HOPPER_AGENT_ID);
  });

  it('signs {{jwt.token}} with the secure setting, as the Worker verifies it', async () => {
    await zafRequest({
      url: 'http://127.0.0.1:9/v1/x',
      secure: true,
      headers: { Authorization: 'Bearer {{jwt.token}}' },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 300,
        claims: { aud: APP_JWT_AUDIENCE, sub: String(GRACE_HOPPER_AGENT_ID) },
      },
    });
    const token = harness.proxied.at(-1)!.authorization!.replace(/^Bearer /, '');
    // Checked as the Worker checks it (worker/src/auth/app-jwt.ts: hono/jwt, HS256, the audience),
    // with the secret the page never saw.
    const secret = 's'.repeat(32);
    const claims = await verify(token, secret, { alg: 'HS256', aud: APP_JWT_AUDIENCE });
    expect(claims).toMatchObject({ aud: APP_JWT_AUDIENCE, sub: String(GRACE_HOPPER_AGENT_ID) });
    expect(claims.exp! - claims.iat!).toBe(300);
    await expect(
      verify(token, 't'.repeat(32), { alg: 'HS256', aud: APP_JWT_AUDIENCE }),
    ).rejects.toThrow();
  });

  it("fills {{setting.token}} with the signed-in agent's token, server-side", async () => {
    await zafRequest({
      url: 'http://127.0.0.1:9/v1/x',
      secure: true,
      headers: { 'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}' },
    });
    expect(harness.proxied.at(-1)?.agentToken).toBe(`Bearer ${DEMO_OAUTH_TOKENS.graceHopper}`);
  });
});
