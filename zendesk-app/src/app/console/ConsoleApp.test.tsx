import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import { ConsoleApp } from './ConsoleApp';
import type { Line } from './consoleApi';

const LINE: Line = {
  slug: 'ai-agent',
  name: 'AI agent hand-off',
  sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
  default_country: 'US',
  create_ticket: false,
  invalid_ticket: 'drop',
  enabled: true,
  acl: [{ id: 1, cidr: '192.0.2.0/24', label: 'Voice AI platform' }],
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
  edge: { state: 'applied', applied_at: '2026-12-02T16:00:00.000Z' },
};

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010, 'currentUser.locale': 'en' };
const agent = { 'currentUser.role': 'agent', 'currentUser.id': 20009, 'currentUser.locale': 'en' };

/** A Worker with these lines; POSTs answer `onCreate`'s reply. */
type Body = Record<string, unknown> & { acl: Record<string, unknown>[] };

function worker(onCreate: (body: Body) => ReturnType<typeof json> = (b) => json(201, { line: b })) {
  const lines = [LINE];
  return (options: ZafRequestOptions) => {
    const path = new URL(options.url).pathname;
    if (options.type === 'POST' && path === '/v1/console/lines') {
      const reply = onCreate(JSON.parse(String(options.data)));
      if (reply.status === 201) lines.push({ ...(reply.responseJSON as { line: Line }).line });
      return reply;
    }
    if (path === '/v1/console/lines') return json(200, { lines });
    return json(404, { error: 'not_found', message: 'No such endpoint.' });
  };
}

const field = (name: RegExp) => screen.getByLabelText(name) as HTMLInputElement;
const type = (name: RegExp, value: string) => fireEvent.change(field(name), { target: { value } });

describe('the admin console', () => {
  it('lists the lines for an admin, asking the Worker with the app’s two proofs', async () => {
    const client = fakeClient(worker(), admin);
    renderWithClient(<ConsoleApp />, client);
    const table = await screen.findByRole('table');
    expect(within(table).getByText('AI agent hand-off')).toBeTruthy();
    expect(within(table).getByText('192.0.2.0/24 (Voice AI platform)')).toBeTruthy();
    expect(client.requests[0]).toMatchObject({
      url: 'https://bridge.example.com/v1/console/lines',
      secure: true,
      headers: { Authorization: 'Bearer {{jwt.token}}' },
    });
  });

  it('shows an agent no console and asks the Worker nothing', async () => {
    const client = fakeClient(worker(), agent);
    renderWithClient(<ConsoleApp />, client);
    expect(await screen.findByText('For Zendesk admins only')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(client.requests).toEqual([]);
  });

  it('says so when the Worker refuses a forged admin (403 admin_required)', async () => {
    const client = fakeClient(
      () => json(403, { error: 'admin_required', message: 'Only Zendesk admins…' }),
      admin,
    );
    renderWithClient(<ConsoleApp />, client);
    expect((await screen.findByRole('alert')).textContent).toMatch(/not an admin/);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('creates a line with an ACL entry, showing a bad network’s error in place as it is typed', async () => {
    const sent: Body[] = [];
    const client = fakeClient(
      worker((body) => {
        sent.push(body);
        return json(201, { line: { ...body, acl: [{ id: 2, ...body.acl[0] }] } });
      }),
      admin,
    );
    renderWithClient(<ConsoleApp />, client);
    fireEvent.click(await screen.findByRole('button', { name: 'New line' }));
    type(/^Slug/, 'paris-office');
    type(/^Name/, 'Paris office');
    type(/^Zendesk SIP targets/, 'sip:paris@acme.sip.twilio.com');
    type(/^Default country/, 'fr');
    fireEvent.click(screen.getByRole('button', { name: 'Add a network' }));
    type(/^Network 1$/, '198.51.100.1/24');
    const error = await screen.findByText('Host bits are set: the network is 198.51.100.0/24.');
    expect(field(/^Network 1$/).getAttribute('aria-invalid')).toBe('true');
    expect(
      field(/^Network 1$/)
        .getAttribute('aria-describedby')
        ?.split(' '),
    ).toContain(error.id);
    // Saving with the error sends nothing.
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    expect(sent).toEqual([]);
    type(/^Network 1$/, '198.51.100.0/24');
    expect(screen.queryByText(/Host bits are set/)).toBeNull();
    type(/^Label for network 1/, 'Carrier');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    expect(await screen.findByText('Saved Paris office.')).toBeTruthy();
    expect(sent).toEqual([
      expect.objectContaining({
        slug: 'paris-office',
        default_country: 'FR',
        acl: [{ cidr: '198.51.100.0/24', label: 'Carrier' }],
      }),
    ]);
    expect(await screen.findByText('Paris office')).toBeTruthy();
  });

  it('shows the Worker’s refusal beside the field it names, and keeps what was typed', async () => {
    const client = fakeClient(
      worker(() =>
        json(400, {
          error: 'invalid_request',
          message: 'The request is invalid; see issues.',
          issues: [
            {
              path: 'sip_targets[0]',
              message: 'must be a sip: or sips: URI with a host',
              code: 'invalid_format',
            },
          ],
        }),
      ),
      admin,
    );
    renderWithClient(<ConsoleApp />, client);
    fireEvent.click(await screen.findByRole('button', { name: 'New line' }));
    type(/^Slug/, 'paris');
    type(/^Name/, 'Paris');
    type(/^Zendesk SIP targets/, 'sip:');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    // Worded by the console from the kind of problem, not the Worker's English message.
    expect(
      await screen.findByText('Enter one sip: or sips: URI with a host per line.'),
    ).toBeTruthy();
    expect(screen.queryByText(/must be a sip: or sips: URI/)).toBeNull();
    expect(field(/^Zendesk SIP targets/).getAttribute('aria-invalid')).toBe('true');
    expect(field(/^Name/).value).toBe('Paris');
  });

  it('says a slug is taken beside the slug when the Worker answers 409', async () => {
    const client = fakeClient(
      worker(() => json(409, { error: 'conflict', message: 'Already exists' })),
      admin,
    );
    renderWithClient(<ConsoleApp />, client);
    fireEvent.click(await screen.findByRole('button', { name: 'New line' }));
    type(/^Slug/, 'ai-agent');
    type(/^Name/, 'Another');
    type(/^Zendesk SIP targets/, 'sip:x@acme.sip.twilio.com');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    const error = await screen.findByText('A line with this slug already exists: choose another.');
    expect(field(/^Slug/).getAttribute('aria-describedby')?.split(' ')).toContain(error.id);
  });

  it('shows the console in French, Korean and Russian', async () => {
    const titles = { fr: 'Lignes', ko: '회선', ru: 'Линии' };
    for (const [locale, title] of Object.entries(titles)) {
      const client = fakeClient(worker(), { ...admin, 'currentUser.locale': locale });
      const { unmount } = renderWithClient(<ConsoleApp />, client);
      expect(await screen.findByRole('heading', { name: title })).toBeTruthy();
      unmount();
    }
  });

  it('edits a line: its fields, a network removed and one added, each sent to the Worker', async () => {
    const line: Line = JSON.parse(JSON.stringify(LINE));
    const calls: string[] = [];
    const client = fakeClient((options) => {
      const path = new URL(options.url).pathname;
      calls.push(`${options.type} ${path}${options.data ? ` ${options.data}` : ''}`);
      if (options.type === 'PATCH') {
        Object.assign(line, JSON.parse(String(options.data)));
        return json(200, { line });
      }
      if (options.type === 'DELETE') {
        line.acl = line.acl.filter((e) => !path.endsWith(`/acl/${e.id}`));
        return { status: 204, responseText: '', headers: {} };
      }
      if (options.type === 'POST' && path.endsWith('/acl')) {
        const entry = JSON.parse(String(options.data)) as { cidr: string; label: string };
        if (entry.cidr === '203.0.113.0/24')
          return json(409, { error: 'conflict', message: 'Already exists' });
        line.acl.push({ id: 7, ...entry });
        return json(201, { line });
      }
      if (path === '/v1/console/lines/ai-agent') return json(200, { line });
      return json(200, { lines: [line] });
    }, admin);
    renderWithClient(<ConsoleApp />, client);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit AI agent hand-off' }));
    expect(screen.queryByLabelText(/^Slug/)).toBeNull();
    type(/^Name/, 'AI agent (night)');
    fireEvent.click(screen.getByRole('button', { name: 'Remove network 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add a network' }));
    type(/^Network 1$/, '198.51.100.0/24');
    fireEvent.click(screen.getByRole('button', { name: 'Add a network' }));
    type(/^Network 2$/, '203.0.113.0/24');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    // The duplicate stays in the form with its error; what was saved shows as saved.
    expect(await screen.findByText('This network is already allowed on the line.')).toBeTruthy();
    expect(field(/^Network 1$/).value).toBe('198.51.100.0/24');
    expect(field(/^Network 1$/).readOnly).toBe(true);
    expect(field(/^Network 2$/).value).toBe('203.0.113.0/24');
    expect(field(/^Network 2$/).getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual([
      expect.stringMatching(/^PATCH \/v1\/console\/lines\/ai-agent .*"name":"AI agent \(night\)"/),
      'DELETE /v1/console/lines/ai-agent/acl/1',
      'POST /v1/console/lines/ai-agent/acl {"cidr":"198.51.100.0/24","label":""}',
      'POST /v1/console/lines/ai-agent/acl {"cidr":"203.0.113.0/24","label":""}',
    ]);
    expect(line.acl.map((e) => e.cidr)).toEqual(['198.51.100.0/24']);
  });
});
