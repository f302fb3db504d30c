import { env, exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('serves health and has the schema', async () => {
  const res = await exports.default.fetch('http://x/health');
  expect(res.status).toBe(200);
  const t = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name='calls'").first<{ n: number }>();
  expect(t?.n).toBe(1);
});
