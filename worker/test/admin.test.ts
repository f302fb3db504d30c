import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminFetch, createTestLine, edgeFetch, installStandin } from './harness';

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM lines; DELETE FROM blocked_numbers');
});

describe('lines and ACL', () => {
  it('creates, reads, changes and deletes a line with canonical ACL entries', async () => {
    await createTestLine({
      acl: [{ cidr: '2001:DB8::/32', label: 'v6 carrier' }, { cidr: '198.51.100.7' }],
    });
    const shown = (await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as {
      line: Record<string, any>;
    };
    expect(shown.line.acl.map((a: { cidr: string }) => a.cidr)).toEqual([
      '2001:db8::/32',
      '198.51.100.7/32',
    ]);
    expect(shown.line).toMatchObject({
      invalid_ticket: 'drop',
      create_ticket: false,
      price_per_minute_micros: 10_000,
    });

    const patched = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { create_ticket: true, max_cps: 5 },
    });
    expect(((await patched.json()) as { line: Record<string, unknown> }).line).toMatchObject({
      create_ticket: true,
      max_cps: 5,
    });

    expect((await adminFetch('/v1/admin/lines/ai-agent', { method: 'DELETE' })).status).toBe(204);
    expect((await adminFetch('/v1/admin/lines/ai-agent')).status).toBe(404);
  });

  it('refuses a duplicate slug, a duplicate ACL entry and unknown fields', async () => {
    await createTestLine();
    const again = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'ai-agent',
        name: 'x',
        sip_targets: ['sip:a@b.example'],
        default_country: 'US',
      },
    });
    expect(again.status).toBe(409);
    const dup = await adminFetch('/v1/admin/lines/ai-agent/acl', {
      body: { cidr: '192.0.2.0/24' },
    });
    expect(dup.status).toBe(409);
    const unknown = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { colour: 'red' },
    });
    expect(unknown.status).toBe(400);
  });

  it('adds and removes ACL entries', async () => {
    await createTestLine();
    const added = await adminFetch('/v1/admin/lines/ai-agent/acl', {
      body: { cidr: '203.0.113.0/25', label: 'Carrier B' },
    });
    expect(added.status).toBe(201);
    const { line } = (await added.json()) as { line: { acl: { id: number; cidr: string }[] } };
    const entry = line.acl.find((a) => a.cidr === '203.0.113.0/25')!;
    expect(
      (await adminFetch(`/v1/admin/lines/ai-agent/acl/${entry.id}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect(
      (await adminFetch(`/v1/admin/lines/ai-agent/acl/${entry.id}`, { method: 'DELETE' })).status,
    ).toBe(404);
  });
});

describe('block list', () => {
  it('stores blocked numbers in E.164, read with the line country', async () => {
    await createTestLine({ slug: 'paris', default_country: 'FR' });
    const res = await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '06 12 34 56 78', line: 'paris' },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { blocked: unknown }).blocked).toMatchObject({
      e164: '+33612345678',
      line: 'paris',
    });
    const dup = await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '+33612345678', line: 'paris' },
    });
    expect(dup.status).toBe(409);
  });

  it('refuses what is not a phone number, naming the field', async () => {
    const res = await adminFetch('/v1/admin/blocked-numbers', { body: { number: 'alice' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: { path: string }[] }).issues[0]?.path).toBe('number');
  });
});

describe('edge config', () => {
  it('serves enabled lines with an ETag and answers 304 until something changes', async () => {
    await createTestLine();
    await createTestLine({ slug: 'off', enabled: false });
    const first = await edgeFetch('/v1/edge/config');
    expect(first.status).toBe(200);
    const etag = first.headers.get('ETag')!;
    expect(await first.json()).toEqual({
      lines: [
        {
          slug: 'ai-agent',
          sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
          max_cps: 0,
          routing: {
            mode: 'sequential',
            no_ringback_ms: 5000,
            no_answer_ms: 300000,
            max_concurrent_calls: 0,
          },
          acl: [{ cidr: '192.0.2.0/24', label: 'Voice AI platform' }],
          blocked: [],
        },
      ],
    });
    const same = await edgeFetch('/v1/edge/config', undefined, {
      headers: { 'If-None-Match': etag },
    });
    expect(same.status).toBe(304);
    await adminFetch('/v1/admin/lines/ai-agent/acl', { body: { cidr: '198.51.100.0/24' } });
    const changed = await edgeFetch('/v1/edge/config', undefined, {
      headers: { 'If-None-Match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('ETag')).not.toBe(etag);
  });

  it('publishes line and global blocks per line, in the digit forms Kamailio compares', async () => {
    await createTestLine({ default_country: 'FR' });
    await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '+33 6 12 34 56 78', line: 'ai-agent' },
    });
    await adminFetch('/v1/admin/blocked-numbers', { body: { number: '+1 415 555 0100' } });
    const res = await edgeFetch('/v1/edge/config');
    const config = (await res.json()) as { lines: { blocked: string[] }[] };
    expect(config.lines[0]!.blocked.sort()).toEqual(
      ['14155550100', '33612345678', '0612345678', '612345678'].sort(),
    );
  });
});

describe('ACL entries wider than /8 (IPv4) or /32 (IPv6)', () => {
  it('need confirm_wide: true, else 422 with the field path', async () => {
    await createTestLine();
    const add = (body: Record<string, unknown>) =>
      adminFetch('/v1/admin/lines/ai-agent/acl', { body });
    const refused = await add({ cidr: '0.0.0.0/0' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: 'unconfirmed_wide_acl',
      issues: [{ path: 'confirm_wide', message: 'must be true to allow a network wider than /8' }],
    });
    const v6 = await add({ cidr: '2000::/3' });
    expect(v6.status).toBe(422);
    expect(((await v6.json()) as { issues: { message: string }[] }).issues[0]!.message).toContain(
      '/32',
    );
    expect((await add({ cidr: '10.0.0.0/8' })).status).toBe(201);
    expect((await add({ cidr: '2001:db8::/32' })).status).toBe(201);
    expect((await add({ cidr: '0.0.0.0/0', confirm_wide: true })).status).toBe(201);
  });

  it('are refused in a new line with the entry named', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'wide',
        name: 'Wide',
        sip_targets: ['sip:a@b.example'],
        default_country: 'US',
        acl: [{ cidr: '192.0.2.0/24' }, { cidr: '64.0.0.0/2' }],
      },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { issues: unknown }).issues).toEqual([
      { path: 'acl[1].confirm_wide', message: 'must be true to allow a network wider than /8' },
    ]);
    expect((await adminFetch('/v1/admin/lines/wide')).status).toBe(404);
  });
});
