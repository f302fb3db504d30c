import { describe, expect, it } from 'vitest';
import { LINE_LIMITS, ROUTING_LIMITS } from '@sip-bridge/contract/line-limits';
import {
  carrierBody,
  carrierDraftOf,
  carrierProblems,
  emptyCarrierDraft,
  type CarrierDraft,
} from './carrierOptions';
import type { Line } from './consoleApi';

const draft = (patch: Partial<CarrierDraft> = {}): CarrierDraft => ({
  ...emptyCarrierDraft(),
  ...patch,
});
const TARGETS = ['sip:paris@acme.sip.twilio.com'];

describe('the line form’s carrier options', () => {
  it('checks numbers against the API’s own bounds, naming them', () => {
    expect(carrierProblems(draft(), TARGETS)).toEqual({});
    const problems = carrierProblems(
      draft({
        noRingbackMs: String(ROUTING_LIMITS.no_ringback_ms.min - 1),
        noAnswerMs: '1.5',
        maxConcurrent: '',
        maxCps: String(LINE_LIMITS.max_cps.max + 1),
        maxCreations: String(LINE_LIMITS.max_creations_per_minute.max),
      }),
      TARGETS,
    );
    expect(problems).toEqual({
      'routing.no_ringback_ms': {
        key: 'console.form.errors.range',
        vars: { min: 100, max: 60000 },
      },
      'routing.no_answer_ms': {
        key: 'console.form.errors.range',
        vars: { min: 1000, max: 3600000 },
      },
      'routing.max_concurrent_calls': { key: 'console.form.errors.required' },
      max_cps: { key: 'console.form.errors.range', vars: { min: 0, max: 10000 } },
    });
  });

  it('needs every target over TLS on a secure line, naming the first that is not', () => {
    const secure = draft({ media: 'secure' });
    expect(carrierProblems(secure, ['sips:a@x.example', 'sip:b@x.example;transport=tls'])).toEqual(
      {},
    );
    expect(carrierProblems(secure, ['sips:a@x.example', 'sip:b@x.example'])).toEqual({
      sip_targets: { key: 'console.media.errors.insecure_target', vars: { number: 2 } },
    });
  });

  it('checks caller auth as the API does: header, token, prefix, digest users, numbers', () => {
    const problems = carrierProblems(
      draft({
        tokenOn: true,
        tokenHeader: 'X-Bridge-Token',
        tokenSecret: 'short',
        techPrefix: '12a4',
        digestOn: true,
        digestRealm: 'sip example',
        digestUsers: [
          { username: 'carrier1', password: 'long-enough', stored: false },
          { username: 'carrier1', password: '', stored: false },
        ],
        chargeNumbers: '+14155550100\n4155550100',
      }),
      TARGETS,
    );
    expect(problems).toEqual({
      'auth.token.header': { key: 'console.auth.errors.reserved_header' },
      'auth.token.secret': { key: 'console.auth.errors.token_secret' },
      'auth.tech_prefix': { key: 'console.auth.errors.tech_prefix' },
      'auth.digest.realm': { key: 'console.auth.errors.realm' },
      'auth.digest.users[1].username': { key: 'console.auth.errors.username_repeated' },
      'auth.digest.users[1].password': { key: 'console.form.errors.required' },
      'auth.p_charge_info.numbers': { key: 'console.auth.errors.e164' },
    });
    expect(carrierProblems(draft({ tokenOn: true, tokenHeader: 'Token' }), TARGETS)).toEqual({
      'auth.token.header': { key: 'console.auth.errors.token_header' },
      'auth.token.secret': { key: 'console.form.errors.required' },
    });
  });

  it('keeps stored secrets when left empty, and asks for them again when the realm changes', () => {
    const line = {
      max_cps: 5,
      max_creations_per_minute: 10,
      media: 'rtp',
      routing: {
        mode: 'round_robin',
        no_ringback_ms: 900,
        no_answer_ms: 60000,
        max_concurrent_calls: 3,
      },
      auth: {
        ip: true,
        token: { header: 'X-Line-Token', secret_set: true },
        digest: { realm: 'sip.example.com', users: [{ username: 'carrier1' }] },
        tech_prefix: '1234',
        p_charge_info: { numbers: ['+14155550100'] },
      },
    } as unknown as Line;
    const kept = carrierDraftOf(line);
    expect(kept).toMatchObject({ tokenSecret: '', tokenSet: true, maxConcurrent: '3' });
    expect(carrierProblems(kept, TARGETS)).toEqual({});
    // Left empty, no secret is sent: the Worker keeps the stored ones.
    expect(carrierBody(kept)).toEqual({
      max_cps: 5,
      max_creations_per_minute: 10,
      media: 'rtp',
      routing: {
        mode: 'round_robin',
        no_ringback_ms: 900,
        no_answer_ms: 60000,
        max_concurrent_calls: 3,
      },
      auth: {
        ip: true,
        token: { header: 'X-Line-Token' },
        tech_prefix: '1234',
        digest: { realm: 'sip.example.com', users: [{ username: 'carrier1' }] },
        p_charge_info: { numbers: ['+14155550100'] },
      },
    });
    // A line set up without the ACL check (ip false, admin API) keeps it when saved here.
    const noIp = { ...line, auth: { ...line.auth, ip: false } } as Line;
    expect(carrierBody(carrierDraftOf(noIp)).auth.ip).toBe(false);
    // A stored HA1 holds for its realm only.
    expect(carrierProblems({ ...kept, digestRealm: 'edge.example.com' }, TARGETS)).toEqual({
      'auth.digest.users[0].password': { key: 'console.form.errors.required' },
    });
    const typed = carrierBody({
      ...kept,
      tokenSecret: 'a-new-token-0123456789',
      digestUsers: [{ username: 'carrier1', password: 'pass-word-1', stored: true }],
    });
    expect(typed.auth.token).toEqual({ header: 'X-Line-Token', secret: 'a-new-token-0123456789' });
    expect(typed.auth.digest?.users).toEqual([{ username: 'carrier1', password: 'pass-word-1' }]);
  });
});
