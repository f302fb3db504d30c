// The Lines page and the edge: each line's state at the edge in the table, and after a save the
// page asks again (bounded) until the edge has applied the line.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import { ConsoleApp } from './ConsoleApp';
import type { Line, LineEdgeStatus } from './consoleApi';

vi.mock('./edgePoll', () => ({ EDGE_POLL: { intervalMs: 5, tries: 3 } }));

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010, 'currentUser.locale': 'en' };
const APPLIED_AT = '2026-12-02T16:05:00.000Z';

const line = (edge: LineEdgeStatus): Line => ({
  slug: 'ai-agent',
  name: 'AI agent hand-off',
  sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
  default_country: 'US',
  create_ticket: false,
  invalid_ticket: 'drop',
  enabled: true,
  acl: [{ id: 1, cidr: '192.0.2.0/24', label: '' }],
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
  edge,
});

/** A Worker whose line is `waiting` until it has been listed `appliedAfter` more times. */
function worker(appliedAfter: number) {
  let lists = 0;
  const listed = () =>
    lists > appliedAfter
      ? line({ state: 'applied', applied_at: APPLIED_AT })
      : line({ state: 'waiting', edge_applied_at: APPLIED_AT });
  const requests: string[] = [];
  const respond = (options: ZafRequestOptions) => {
    const path = new URL(options.url).pathname;
    requests.push(`${options.type} ${path}`);
    if (options.type === 'PATCH') return json(200, { line: listed() });
    if (path === '/v1/console/lines/ai-agent') return json(200, { line: listed() });
    if (path.endsWith('/blocked')) return json(200, { blocked: [] });
    // The Edit view's routing rules section asks for the line's rules (not a list of lines).
    if (path.endsWith('/routing-rules'))
      return json(200, { routing_rules: { time_zone: 'UTC', rules: [] } });
    lists += 1;
    return json(200, { lines: [listed()] });
  };
  return { respond, requests, lists: () => lists };
}

describe('the Lines page and the edge', () => {
  it('shows each line’s state at the edge in the table, in the admin’s language', async () => {
    const states: [LineEdgeStatus, string, string][] = [
      [{ state: 'no_edge' }, 'en', 'No edge yet'],
      [{ state: 'waiting', edge_applied_at: APPLIED_AT }, 'fr', 'En attente'],
      [{ state: 'applied', applied_at: APPLIED_AT }, 'ru', 'Применено'],
    ];
    for (const [edge, locale, words] of states) {
      const client = fakeClient(() => json(200, { lines: [line(edge)] }), {
        ...admin,
        'currentUser.locale': locale,
      });
      const { unmount } = renderWithClient(<ConsoleApp />, client);
      const table = await screen.findByRole('table');
      expect(within(table).getByText(words)).toBeTruthy();
      // An applied line says since when, in the admin's language.
      if (edge.state === 'applied')
        expect(within(table).getByText(/2026/).textContent).toMatch(/déc|дек/);
      unmount();
    }
  });

  it('after a save, asks again until the edge has applied the line, then stops', async () => {
    const w = worker(2);
    renderWithClient(<ConsoleApp />, fakeClient(w.respond, admin));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit AI agent hand-off' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    const notice = await screen.findByRole('status');
    expect(within(notice).getByText('Saved AI agent hand-off.')).toBeTruthy();
    expect(within(notice).getByText('Waiting for the edge')).toBeTruthy();
    await within(notice).findByText(/^Applied at the edge at /);
    const asked = w.lists();
    await new Promise((r) => setTimeout(r, 50));
    expect(w.lists()).toBe(asked);
    expect(within(notice).queryByText(/has not applied this change yet/)).toBeNull();
  });

  it('stops after its last try and says the edge has not applied the change yet', async () => {
    const w = worker(1000);
    renderWithClient(<ConsoleApp />, fakeClient(w.respond, admin));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit AI agent hand-off' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    const notice = await screen.findByRole('status');
    await within(notice).findByText(/The edge has not applied this change yet/);
    expect(within(notice).getByText('Waiting for the edge')).toBeTruthy();
    const asked = w.lists();
    // The list at open, the one after the save, and three tries: never more.
    expect(asked).toBe(5);
    await new Promise((r) => setTimeout(r, 50));
    expect(w.lists()).toBe(asked);
  });
});
