// A line that presents callers in E.164: the decision tells the edge the number to put in From
// (and P-Asserted-Identity); the call record keeps what the caller sent.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  adminFetch,
  callRow,
  createTestLine,
  decide,
  installStandin,
  invite,
  takeZendeskDown,
} from './harness';

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM lines; DELETE FROM caller_matches');
});

describe('caller presentation', () => {
  it('presents a national caller as E.164 on an e164 line, keeping the original in the record', async () => {
    await createTestLine({ caller_presentation: 'e164' });
    const req = invite({ from: '"Ada" <sip:4155550100@carrier.example>;tag=1' });
    const { status, body } = await decide(req);
    expect(status).toBe(200);
    expect(body).toMatchObject({ action: 'relay', caller_user: '+14155550100' });
    expect((await callRow(req.call_id))?.from_uri).toBe(req.sip.from);
  });

  it('relays callers as received by default, and on an e164 line when the number cannot be read', async () => {
    await createTestLine();
    const plain = await decide(invite({ from: 'sip:4155550100@carrier.example' }));
    expect(plain.body.caller_user).toBeUndefined();

    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { caller_presentation: 'e164' },
    });
    for (const from of ['sip:anonymous@anonymous.invalid', 'sip:alice@carrier.example']) {
      const { body } = await decide(invite({ from }));
      expect(body.action).toBe('relay');
      expect(body.caller_user).toBeUndefined();
    }
  });

  it('still presents E.164 when Zendesk cannot be asked (nothing to ask it for that)', async () => {
    await createTestLine({ caller_presentation: 'e164' });
    takeZendeskDown();
    const { body } = await decide(invite({ from: 'sip:4155550100@carrier.example' }));
    expect(body).toMatchObject({ action: 'relay', caller_user: '+14155550100' });
  });

  it('refuses an unknown presentation with the field path', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'bad',
        name: 'Bad',
        sip_targets: ['sip:x@example.com'],
        default_country: 'US',
        caller_presentation: 'national',
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toContain('caller_presentation');
  });
});
