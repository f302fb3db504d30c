import { afterEach, describe, expect, it } from 'vitest';
import { startZendeskStandin, type RunningStandin } from './server';
import { AUTH } from './test-support';

let running: RunningStandin | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('startZendeskStandin', () => {
  it('serves the stand-in over HTTP on an ephemeral loopback port', async () => {
    const lines: string[] = [];
    running = await startZendeskStandin({ port: 0, log: (line) => lines.push(line) });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ticket = await fetch(`${running.url}/api/v2/tickets/1001.json`, {
      headers: { Authorization: AUTH },
    });
    expect(ticket.status).toBe(200);
    const body = (await ticket.json()) as { ticket: { url: string } };
    expect(body.ticket.url).toBe(`${running.url}/api/v2/tickets/1001.json`);

    const created = await fetch(`${running.url}/api/v2/users.json`, {
      method: 'POST',
      headers: { Authorization: AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { name: 'Over HTTP' } }),
    });
    expect(created.status).toBe(201);

    const faults = await fetch(`${running.url}/__standin/faults`, {
      method: 'POST',
      body: JSON.stringify({ rateLimit: { count: 1, retryAfter: 4 } }),
    });
    expect(faults.status).toBe(200);
    const limited = await fetch(`${running.url}/api/v2/tickets/1001`, {
      headers: { Authorization: AUTH },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect(await limited.text()).toBe('Number of allowed API requests per minute exceeded');

    expect(running.standin.requests.map((r) => r.status)).toEqual([200, 201, 429]);
    expect(lines[0]).toMatch(/^GET \/api\/v2\/tickets\/1001\.json 200 \d+\.\dms$/);
    expect(lines).toHaveLength(4);
    const credentials = AUTH.slice('Basic '.length);
    expect(lines.join('\n')).not.toContain(credentials);
  });

  it('frees the port on close', async () => {
    running = await startZendeskStandin({ port: 0, log: false });
    const { url } = running;
    await running.close();
    running = undefined;
    await expect(fetch(`${url}/__standin/state`)).rejects.toThrow();
  });
});
