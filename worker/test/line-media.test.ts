import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminFetch, createTestLine, edgeFetch, installStandin } from './harness';

// Media per line (docs/secure-media.md): `rtp` by default; `secure` only with TLS targets, refused
// with field paths and nothing written otherwise; secure lines carry `media` to the edge.
const TLS_TARGETS = [
  'sips:mongoose@mongoose.sip.twilio.com',
  'sip:backup@backup.sip.twilio.com;transport=tls',
];
const PLAIN = 'sip:mongoose@mongoose.sip.twilio.com';

async function edgeLines() {
  const res = await edgeFetch('/v1/edge/config');
  return ((await res.json()) as { lines: Record<string, any>[] }).lines;
}

const issuesOf = async (res: Response) => {
  const text = await res.text();
  return { text, issues: (JSON.parse(text) as { issues: { path: string }[] }).issues };
};

const patch = (body: Record<string, unknown>) =>
  adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body });

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM lines; DELETE FROM blocked_numbers');
});

describe('line media', () => {
  it('is rtp by default and leaves media out of the edge config', async () => {
    const line = (await createTestLine()) as Record<string, any>;
    expect(line.media).toBe('rtp');
    expect((await edgeLines())[0]).not.toHaveProperty('media');
  });

  it('takes secure with TLS targets and sends it to the edge', async () => {
    const line = (await createTestLine({ media: 'secure', sip_targets: TLS_TARGETS })) as Record<
      string,
      any
    >;
    expect(line.media).toBe('secure');
    const [edge] = await edgeLines();
    expect(edge!.media).toBe('secure');
    expect(edge!.sip_targets).toEqual(TLS_TARGETS);
  });

  it('refuses a secure line whose targets are not TLS, naming each, and writes nothing', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'ai-agent',
        name: 'AI agent',
        default_country: 'US',
        media: 'secure',
        sip_targets: [TLS_TARGETS[0], PLAIN, 'sip:x@example.com;transport=tcp'],
      },
    });
    expect(res.status).toBe(400);
    const { text, issues } = await issuesOf(res);
    expect(issues.map((i) => i.path)).toEqual(['sip_targets[1]', 'sip_targets[2]']);
    expect(text).not.toContain('example.com');
    expect((await adminFetch('/v1/admin/lines/ai-agent')).status).toBe(404);
  });

  it('refuses any media but rtp and secure, by its path', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'ai-agent',
        name: 'x',
        default_country: 'US',
        sip_targets: [PLAIN],
        media: 'srtp',
      },
    });
    expect(res.status).toBe(400);
    const { text, issues } = await issuesOf(res);
    expect(issues.map((i) => i.path)).toEqual(['media']);
    expect(text).not.toContain('srtp');
  });

  it('refuses a PATCH to secure while the stored targets are not TLS (path media), keeping the line', async () => {
    await createTestLine({ max_cps: 3 });
    const res = await patch({ media: 'secure', max_cps: 9 });
    expect(res.status).toBe(400);
    expect((await issuesOf(res)).issues).toEqual([
      {
        path: 'media',
        message:
          'secure needs every sip_targets entry sips: or ;transport=tls (sip_targets[0] is not)',
      },
    ]);
    const shown = (await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as any;
    expect(shown.line.media).toBe('rtp');
    expect(shown.line.max_cps).toBe(3);
  });

  it('refuses a PATCH of a secure line’s targets to plain ones (path sip_targets[i])', async () => {
    await createTestLine({ media: 'secure', sip_targets: TLS_TARGETS });
    const res = await patch({ sip_targets: [TLS_TARGETS[0], PLAIN] });
    expect(res.status).toBe(400);
    expect((await issuesOf(res)).issues.map((i) => i.path)).toEqual(['sip_targets[1]']);
    expect((await edgeLines())[0]!.sip_targets).toEqual(TLS_TARGETS);
  });

  it('takes media and targets changed together, and back to rtp with plain targets', async () => {
    await createTestLine();
    expect((await patch({ media: 'secure', sip_targets: TLS_TARGETS })).status).toBe(200);
    expect((await edgeLines())[0]!.media).toBe('secure');
    expect((await patch({ media: 'rtp', sip_targets: [PLAIN] })).status).toBe(200);
    expect((await edgeLines())[0]).not.toHaveProperty('media');
  });

  it('D1 itself refuses a secure line with a plain target, however the write got there', async () => {
    await createTestLine({ media: 'secure', sip_targets: TLS_TARGETS });
    await expect(
      env.DB.prepare('UPDATE lines SET sip_targets = ? WHERE slug = ?')
        .bind(JSON.stringify([PLAIN]), 'ai-agent')
        .run(),
    ).rejects.toThrow(/secure_media_needs_tls_targets/);
    await expect(
      env.DB.prepare("UPDATE lines SET media = 'secure', sip_targets = ? WHERE slug = ?")
        .bind(JSON.stringify(['SIPS:a@b.example', 'sip:c@d.example;TRANSPORT=TLS;lr']), 'ai-agent')
        .run(),
    ).resolves.toBeDefined();
  });

  it('is in the OpenAPI document for create, change and show', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    const schemas = doc.components.schemas;
    for (const name of ['LineCreate', 'LinePatch', 'Line']) {
      expect(schemas[name].properties.media.enum).toEqual(['rtp', 'secure']);
    }
    expect(schemas.LineCreate.properties.media.description).toContain('transport=tls');
  });
});
