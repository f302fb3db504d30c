// A line's blocked callers in its Edit view: listed, blocked and unblocked at once, a refused
// number worded from its kind under the field.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import { ConsoleApp } from './ConsoleApp';
import type { BlockedNumber, Line } from './consoleApi';

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010, 'currentUser.locale': 'en' };
const LINE = {
  slug: 'paris',
  name: 'Paris',
  sip_targets: ['sip:paris@acme.sip.twilio.com'],
  default_country: 'FR',
  create_ticket: false,
  invalid_ticket: 'drop',
  enabled: true,
  acl: [],
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
  edge: { state: 'no_edge' },
} as Line;

function worker() {
  const blocked: BlockedNumber[] = [{ id: 1, e164: '+33612345678', line: 'paris', reason: 'spam' }];
  const calls: string[] = [];
  const respond = (options: ZafRequestOptions) => {
    const path = new URL(options.url).pathname;
    calls.push(`${options.type} ${path}`);
    if (path === '/v1/console/lines') return json(200, { lines: [LINE] });
    if (options.type === 'DELETE') {
      blocked.splice(0, blocked.length, ...blocked.filter((b) => !path.endsWith(`/${b.id}`)));
      return { status: 204, responseText: '', headers: {} };
    }
    if (options.type === 'POST') {
      const { number } = JSON.parse(String(options.data)) as { number: string };
      if (number === 'abc')
        return json(400, {
          error: 'invalid_request',
          message: 'The request is invalid; see issues.',
          issues: [{ path: 'number', message: 'not a phone number', code: 'invalid_number' }],
        });
      const block = { id: 2, e164: '+14155550100', line: 'paris', reason: '' };
      blocked.push(block);
      return json(201, { blocked: block });
    }
    return json(200, { blocked: [...blocked] });
  };
  return { respond, calls, blocked };
}

describe('a line’s blocked callers', () => {
  it('lists them in the Edit view, blocks and unblocks at once, and words a refusal', async () => {
    const w = worker();
    renderWithClient(<ConsoleApp />, fakeClient(w.respond, admin));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Paris' }));
    const section = await screen.findByRole('region', { name: 'Blocked callers' });
    expect(await within(section).findByText('+33612345678')).toBeTruthy();

    fireEvent.change(within(section).getByLabelText('Number to block'), {
      target: { value: 'abc' },
    });
    fireEvent.click(within(section).getByRole('button', { name: 'Block' }));
    expect(await within(section).findByText(/not a phone number the bridge can read/)).toBeTruthy();
    expect(within(section).queryByText('not a phone number')).toBeNull();

    fireEvent.change(within(section).getByLabelText('Number to block'), {
      target: { value: '+1 415 555 0100' },
    });
    fireEvent.click(within(section).getByRole('button', { name: 'Block' }));
    expect(await within(section).findByText('+14155550100')).toBeTruthy();

    fireEvent.click(within(section).getByRole('button', { name: 'Unblock +33612345678' }));
    await within(section).findByText('+14155550100');
    expect(await screen.findByRole('region', { name: 'Blocked callers' })).toBeTruthy();
    await expect.poll(() => within(section).queryByText('+33612345678')).toBeNull();
    expect(w.calls.filter((c) => !c.startsWith('GET'))).toEqual([
      'POST /v1/console/lines/paris/blocked',
      'POST /v1/console/lines/paris/blocked',
      'DELETE /v1/console/lines/paris/blocked/1',
    ]);
  });
});
