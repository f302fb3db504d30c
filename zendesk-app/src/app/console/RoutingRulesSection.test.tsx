// A line's routing rules in its Edit view: an admin adds, reorders and removes rules with buttons,
// a bad time is shown under its field before anything is sent, the list goes in one PUT, and the
// Worker's refusal is worded from its kind under the field it names.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import RoutingRulesSection from './RoutingRulesSection';

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010, 'currentUser.locale': 'en' };
const STORED = {
  time_zone: 'UTC',
  rules: [
    { id: 'night', name: 'Night', when: { caller: ['withheld'] }, sip_targets: ['sip:n@x.io'] },
  ],
};

function worker(refuse = false) {
  const puts: unknown[] = [];
  const respond = (options: ZafRequestOptions) => {
    if (options.type === 'PUT') {
      const body = JSON.parse(String(options.data)) as typeof STORED;
      puts.push(body);
      if (refuse)
        return json(400, {
          error: 'invalid_request',
          message: 'The request is invalid; see issues.',
          issues: [
            { path: 'rules[0].sip_targets[0]', message: 'secure line', code: 'insecure_target' },
          ],
        });
      return json(200, { routing_rules: body });
    }
    return json(200, { routing_rules: STORED });
  };
  return { respond, puts };
}

function renderSection(w: ReturnType<typeof worker>) {
  const client = fakeClient(w.respond, admin);
  const target = { client, apiUrl: 'https://bridge.example.com', userId: 20010 };
  renderWithClient(
    <RoutingRulesSection target={target} slug="paris" media="rtp" onChanged={() => undefined} />,
    client,
  );
}

describe('a line’s routing rules', () => {
  it('adds a rule with a tag and a target, moves it first, and saves the list in one PUT', async () => {
    const w = worker();
    renderSection(w);
    const section = await screen.findByRole('region', { name: 'Routing rules' });
    await within(section).findByRole('listitem', { name: 'Rule 1: Night' });
    fireEvent.click(within(section).getByRole('button', { name: 'Add a rule' }));
    const rule = within(section).getByRole('listitem', { name: 'Rule 2: new rule 2' });
    fireEvent.change(within(rule).getByLabelText('Name'), { target: { value: 'VIP' } });
    fireEvent.change(within(rule).getByLabelText(/^Id/), { target: { value: 'vip' } });
    fireEvent.change(within(rule).getByLabelText(/^User tags/), { target: { value: 'vip, gold' } });
    fireEvent.change(within(rule).getByLabelText(/^SIP targets of this rule/), {
      target: { value: 'sip:vip@vip.sip.twilio.com' },
    });
    fireEvent.click(within(section).getByRole('button', { name: 'Move VIP up' }));
    expect(within(section).getByRole('listitem', { name: 'Rule 1: VIP' })).toBeTruthy();
    expect(
      (within(section).getByRole('button', { name: 'Move VIP up' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    fireEvent.click(within(section).getByRole('button', { name: 'Save rules' }));
    expect(await within(section).findByText(/Routing rules saved/)).toBeTruthy();
    expect(w.puts).toEqual([
      {
        time_zone: 'UTC',
        rules: [
          {
            id: 'vip',
            name: 'VIP',
            when: { user_tags: ['vip', 'gold'] },
            sip_targets: ['sip:vip@vip.sip.twilio.com'],
          },
          STORED.rules[0],
        ],
      },
    ]);
  });

  it('shows a bad time under its field and sends nothing', async () => {
    const w = worker();
    renderSection(w);
    const section = await screen.findByRole('region', { name: 'Routing rules' });
    const rule = await within(section).findByRole('listitem', { name: 'Rule 1: Night' });
    fireEvent.click(within(rule).getByRole('button', { name: 'Add a time window' }));
    fireEvent.change(within(rule).getByLabelText('From (HH:MM)'), { target: { value: '25:00' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Save rules' }));
    const from = within(rule).getByLabelText('From (HH:MM)');
    expect(from.getAttribute('aria-invalid')).toBe('true');
    expect(within(rule).getByText('Enter a time from 00:00 to 23:59.')).toBeTruthy();
    expect(w.puts).toEqual([]);
  });

  it('words the Worker’s refusal from its kind, under the rule’s targets', async () => {
    const w = worker(true);
    renderSection(w);
    const section = await screen.findByRole('region', { name: 'Routing rules' });
    const rule = await within(section).findByRole('listitem', { name: 'Rule 1: Night' });
    fireEvent.click(within(section).getByRole('button', { name: 'Save rules' }));
    expect(
      await within(rule).findByText(/Secure media needs every SIP target over TLS/),
    ).toBeTruthy();
    expect(within(section).queryByText('secure line')).toBeNull();
    fireEvent.click(within(section).getByRole('button', { name: 'Remove Night' }));
    expect(within(section).getByText(/No rules/)).toBeTruthy();
  });
});
