import { describe, expect, it } from 'vitest';
import { parseCidr } from '@sip-bridge/contract/cidr';
import {
  cidrProblem,
  createBody,
  draftProblems,
  emptyDraft,
  isWide,
  issuesByField,
  type LineDraft,
} from './lineForm';

const draft = (patch: Partial<LineDraft> = {}): LineDraft => ({
  ...emptyDraft(),
  slug: 'paris',
  name: 'Paris',
  sipTargets: 'sip:paris@acme.sip.twilio.com',
  ...patch,
});

describe('the line form', () => {
  it('says what is wrong with a network as typed, in the same terms as the API parser', () => {
    expect(cidrProblem('10.0.0.1/8')).toEqual({
      key: 'console.acl.errors.host_bits',
      vars: { network: '10.0.0.0/8' },
    });
    expect(cidrProblem('10.0.0.300/24')).toEqual({ key: 'console.acl.errors.address' });
    expect(cidrProblem('192.0.2.0/33')).toEqual({
      key: 'console.acl.errors.too_long',
      vars: { max: '32' },
    });
    expect(cidrProblem('192.0.2.0/x')).toEqual({ key: 'console.acl.errors.prefix' });
    expect(cidrProblem('192.0.2.0/24/8')).toEqual({ key: 'console.acl.errors.format' });
    expect(cidrProblem(' 2001:db8::/48 ')).toBeNull();
    // Whatever the parser accepts, the form accepts, and the other way round.
    for (const text of ['198.51.100.0/24', '0.0.0.0/0', '::/0', 'a/b/c', '1.2.3.4/32', '']) {
      expect(cidrProblem(text) === null, text).toBe(parseCidr(text.trim()).ok);
    }
  });

  it('asks to confirm a network wider than /8 or /32, as the API does', () => {
    expect(isWide('0.0.0.0/0')).toBe(true);
    expect(isWide('10.0.0.0/8')).toBe(false);
    expect(isWide('2001::/16')).toBe(true);
    const wide = draft({ acl: [{ cidr: '0.0.0.0/0', label: '', confirmWide: false }] });
    expect(draftProblems(wide, true)).toEqual({
      'acl[0].confirm_wide': { key: 'console.acl.errors.confirm_wide' },
    });
    const confirmed = { ...wide, acl: [{ cidr: '0.0.0.0/0', label: '', confirmWide: true }] };
    expect(draftProblems(confirmed, true)).toEqual({});
    expect(createBody(confirmed).acl).toEqual([
      { cidr: '0.0.0.0/0', label: '', confirm_wide: true },
    ]);
  });

  it('needs a slug (new lines), a name, a SIP target and a country', () => {
    const blank = { ...emptyDraft(), defaultCountry: '' };
    expect(Object.keys(draftProblems(blank, true)).sort()).toEqual([
      'default_country',
      'name',
      'sip_targets',
      'slug',
    ]);
    expect(Object.keys(draftProblems(blank, false))).not.toContain('slug');
  });

  it('sends one SIP target per line and the networks as typed, trimmed', () => {
    const body = createBody(
      draft({
        sipTargets: ' sip:a@acme.sip.twilio.com \n\nsips:b@acme.sip.twilio.com',
        defaultCountry: 'fr',
        createTicket: true,
        acl: [{ cidr: ' 198.51.100.0/24 ', label: ' Carrier ', confirmWide: false }],
      }),
    );
    expect(body).toEqual({
      slug: 'paris',
      name: 'Paris',
      sip_targets: ['sip:a@acme.sip.twilio.com', 'sips:b@acme.sip.twilio.com'],
      default_country: 'FR',
      create_ticket: true,
      invalid_ticket: 'drop',
      enabled: true,
      acl: [{ cidr: '198.51.100.0/24', label: 'Carrier' }],
      // The carrier options' defaults are the API's (carrierOptions.test.ts has the rest).
      max_cps: 0,
      max_creations_per_minute: 30,
      media: 'rtp',
      routing: {
        mode: 'sequential',
        no_ringback_ms: 5000,
        no_answer_ms: 300000,
        max_concurrent_calls: 0,
      },
      auth: { ip: true },
    });
  });

  it('puts each of the Worker’s issues beside its field, and the rest at the top', () => {
    const other = 'console.issues.other';
    expect(
      issuesByField([
        { path: 'sip_targets[1]', message: 'must be a sip: or sips: URI', code: 'invalid_format' },
        { path: 'acl[0].cidr', message: 'host bits are set', code: 'invalid_cidr' },
        { path: 'default_country', message: 'must be an ISO code', code: 'unknown_country' },
        {
          path: 'routing.no_answer_ms',
          message: 'Too small',
          code: 'too_small',
          origin: 'number',
          minimum: 1000,
        },
        { path: 'auth.digest.users[2].password', message: 'x', code: 'missing_secret' },
        { path: 'name', message: 'x', code: 'something_new' },
        { path: 'context_headers[0].header', message: 'too big', code: 'too_big' },
      ]),
    ).toEqual({
      sip_targets: {
        key: 'console.issues.sip_target',
        vars: { field: 'sip_targets[1]' },
        fallback: other,
      },
      'acl[0].cidr': {
        key: 'console.issues.invalid_cidr',
        vars: { field: 'acl[0].cidr' },
        fallback: other,
      },
      default_country: {
        key: 'console.issues.unknown_country',
        vars: { field: 'default_country' },
        fallback: other,
      },
      'routing.no_answer_ms': {
        key: 'console.issues.too_small_number',
        vars: { field: 'routing.no_answer_ms', min: 1000 },
        fallback: other,
      },
      'auth.digest.users[2].password': {
        key: 'console.issues.missing_secret',
        vars: { field: 'auth.digest.users[2].password' },
        fallback: other,
      },
      // A kind the console has no words for: a generic message naming the field.
      name: { key: 'console.issues.refused', vars: { field: 'name' }, fallback: other },
      // No field of the form: at the top, naming the field.
      '': { key: other, vars: { field: 'context_headers[0].header' } },
    });
  });
});
