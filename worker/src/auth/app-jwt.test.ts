import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { describe, expect, it, vi } from 'vitest';
import { appJwt } from './app-jwt';

const app = new Hono().use(appJwt()).get('/', (c) => c.text('ok'));

async function requestWith(secret: string) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await sign({ aud: 'sip-bridge-api', exp: now + 300 }, secret, 'HS256');
  return app.request(
    '/',
    { headers: { Authorization: `Bearer ${jwt}` } },
    { APP_JWT_SECRET: secret },
  );
}

describe('APP_JWT_SECRET length', () => {
  it('refuses every app request with a secret shorter than 32 bytes, and logs why', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await requestWith('s'.repeat(31));
    expect(res.status).toBe(401);
    expect(log.mock.calls[0]?.[0]).toMatch(/APP_JWT_SECRET is missing or shorter than 32 bytes/);
    expect(String(log.mock.calls[0]?.[0])).not.toContain('s'.repeat(31));
    log.mockRestore();
  });

  it('accepts a 32-byte secret', async () => {
    expect((await requestWith('s'.repeat(32))).status).toBe(200);
  });
});
