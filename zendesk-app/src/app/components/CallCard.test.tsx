import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeCall, makeHandoff, RIVERAS } from '../../test/fixtures';
import { renderWithI18n } from '../../test/render';
import type { AppLocale } from '../i18n/translate';
import { CallCard, type CallCardProps } from './CallCard';

function renderCard(
  props: Partial<CallCardProps> & Pick<CallCardProps, 'call'>,
  locale?: AppLocale,
) {
  const onOpenUser = vi.fn();
  const onChooseCaller = vi.fn(async () => undefined);
  const view = renderWithI18n(
    <CallCard onOpenUser={onOpenUser} onChooseCaller={onChooseCaller} {...props} />,
    locale,
  );
  const part = (name: string) =>
    view.container.querySelector(`[data-part="${name}"]`) as HTMLElement;
  return { ...view, onOpenUser, onChooseCaller, part };
}

describe('CallCard', () => {
  it('shows a matched caller with a link that opens the user in Zendesk', () => {
    const { part, onOpenUser } = renderCard({
      call: makeCall(),
      userName: 'Ada Lovelace',
      zendeskUrl: 'https://acme.zendesk.com',
    });
    expect(part('number').textContent).toBe('+1 415 555 0100 (+14155550100)');
    const link = screen.getByRole('link', { name: 'Ada Lovelace' });
    expect(link.getAttribute('href')).toBe('https://acme.zendesk.com/agent/users/20001');
    fireEvent.click(link);
    expect(onOpenUser).toHaveBeenCalledWith(20001);
  });

  it.each([
    ['+353861234567', '+353 86 123 4567'],
    ['+5511987654321', '+55 11 98765 4321'],
    ['+442079460958', '+44 20 7946 0958'],
  ])('shows %s as the bridge writes it for people', (e164, display) => {
    const { part } = renderCard({ call: makeCall({ caller: { e164, display } }) });
    expect(part('number').textContent).toBe(`${display} (${e164})`);
  });

  it('falls back to the user id while the name is unknown', () => {
    renderCard({ call: makeCall() });
    expect(screen.getByRole('link', { name: 'User 20001' })).toBeTruthy();
  });

  it('shows line, carrier with its ACL entry, ticket link, status, duration and cost', () => {
    const { part } = renderCard({ call: makeCall() });
    expect(part('line').textContent).toBe('ai-agent');
    expect(part('carrier').textContent).toBe('198.51.100.7:5060 (UDP), allowed by 198.51.100.0/24');
    expect(part('ticket-link').textContent).toBe('Passed by the AI agent');
    expect(part('final-status').textContent).toBe('200 · Answered (OK)');
    expect(part('duration').textContent).toBe('1 min 5 sec');
    expect(part('cost').textContent).toBe('$0.02');
    expect(part('codecs').textContent).toBe('PCMU, telephone-event');
    expect(part('call-id').textContent).toContain('a84b4c76e66710@198.51.100.7');
    expect(part('timeline').textContent).toMatch(/Received.*Answered.*Ended.*by the caller/);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toMatch(/^Call received /);
  });

  it('says when no user matches', () => {
    const call = makeCall({ caller: { match: 'no_match', user_id: null } });
    const { part } = renderCard({ call });
    expect(part('caller').textContent).toContain('No matching user');
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('shows a withheld number as withheld', () => {
    const call = makeCall({
      caller: { e164: null, kind: 'withheld', match: 'withheld', user_id: null },
    });
    const { part } = renderCard({ call });
    expect(part('number').textContent).toBe('Number withheld');
  });

  it('shows the From of a number that could not be read', () => {
    const call = makeCall({
      caller: { e164: null, kind: 'invalid', match: 'no_match', user_id: null },
      sip: { from: '<sip:anonymous-ish@198.51.100.7>' },
    });
    const { part } = renderCard({ call });
    expect(part('number').textContent).toBe(
      'Not a valid phone number <sip:anonymous-ish@198.51.100.7>',
    );
  });

  it('lets the agent set one of several candidates as requester', async () => {
    const call = makeCall({
      caller: { e164: '+14155550199', match: 'ambiguous', user_id: null, candidates: RIVERAS },
    });
    const { part, onChooseCaller } = renderCard({ call });
    expect(part('caller').textContent).toContain('Several users share this number');
    // Each candidate's phone as the bridge formats it, not as stored in Zendesk.
    expect([...part('candidates').querySelectorAll('li > span')].map((s) => s.textContent)).toEqual(
      ['Sam Rivera · +1 415 555 0199', 'Alex Rivera · +1 415 555 0199'],
    );
    expect(part('candidates').textContent).not.toContain('(415)');
    const button = screen.getByRole('button', { name: 'Set as requester: Alex Rivera' });
    fireEvent.click(button);
    expect(onChooseCaller).toHaveBeenCalledWith('a84b4c76e66710@198.51.100.7', 20006);
    await waitFor(() => expect(screen.getByText('Alex Rivera is now the requester.')).toBeTruthy());
  });

  it('shows a candidate without a phone by name only', () => {
    const candidates = [{ id: 20005, name: 'Sam Rivera', phone: null, phone_display: null }];
    const call = makeCall({ caller: { match: 'ambiguous', user_id: null, candidates } });
    const { part } = renderCard({ call });
    expect(part('candidates').querySelector('li > span')?.textContent).toBe('Sam Rivera');
  });

  it('says when setting the requester failed', async () => {
    const call = makeCall({ caller: { match: 'ambiguous', user_id: null, candidates: RIVERAS } });
    renderCard({ call, onChooseCaller: async () => Promise.reject(new Error('409')) });
    fireEvent.click(screen.getByRole('button', { name: 'Set as requester: Sam Rivera' }));
    await waitFor(() =>
      expect(screen.getByText('Could not set the requester. Try again.')).toBeTruthy(),
    );
  });

  it('shows a decision reject clearly, with the code in plain words', () => {
    const call = makeCall({
      status: 'rejected',
      decision: { action: 'reject', code: 603, reason: 'Decline' },
      timeline: { answered_at: null, ended_at: '2026-11-21T09:30:00.100Z' },
      duration_s: null,
      final: { code: 603, reason: 'Decline', ended_by: 'proxy' },
      cost: { micros: null, usd: null },
    });
    const { part, container } = renderCard({ call });
    const reject = part('reject');
    expect(reject.textContent).toContain('Rejected by the bridge: 603 Decline');
    expect(reject.textContent).toContain('603 · Declined');
    expect(container.querySelector('article')?.getAttribute('data-status')).toBe('rejected');
    expect(part('duration').textContent).toBe('—');
    expect(part('cost').textContent).toBe('—');
    expect(part('timeline').textContent).toContain('Not answered');
  });

  it('says an admin ended the call when one did from the console', () => {
    const call = makeCall({
      final: {
        code: 200,
        reason: 'ended by the operator',
        ended_by: 'admin',
        cause: 'admin_hangup',
      },
    });
    const { part } = renderCard({ call });
    expect(part('timeline').textContent).toMatch(/Ended.*by an admin/);
  });

  it('marks a call in progress as live', () => {
    const call = makeCall({
      status: 'answered',
      timeline: { ended_at: null },
      duration_s: null,
      final: { code: null, reason: null, ended_by: null },
    });
    const { part } = renderCard({ call });
    expect(part('live').textContent).toBe('In progress, refreshing every 5 seconds');
    expect(part('final-status').textContent).toBe('Not known yet');
  });

  it('names the steps Zendesk did not answer in time for', () => {
    const call = makeCall({
      decision: { degraded: ['match:timeout'] },
      ticket: { link: 'passed_unverified' },
    });
    const { part } = renderCard({ call });
    expect(screen.getByText('Zendesk did not answer in time for: match:timeout')).toBeTruthy();
    expect(part('ticket-link').textContent).toBe(
      'Passed by the AI agent, not verified (Zendesk did not answer)',
    );
  });

  it.each([
    ['created', 'Created by the bridge'],
    ['dropped', 'Passed ticket 1001 was invalid and dropped'],
    ['none', 'Not linked by the bridge'],
  ] as const)('explains a ticket link "%s"', (link, text) => {
    const { part } = renderCard({ call: makeCall({ ticket: { link } }) });
    expect(part('ticket-link').textContent).toBe(text);
  });

  it("warns when the passed ticket's requester is not the caller", () => {
    const { part } = renderCard({ call: makeCall({ ticket: { requester_mismatch: true } }) });
    const notice = part('requester-mismatch');
    expect(within(notice).getByRole('alert').textContent).toBe(
      "The caller is not this ticket's requester" +
        "The AI agent or carrier passed this ticket, but the caller's number belongs to someone else or to no user.",
    );
    expect(part('ticket-link').textContent).toBe('Passed by the AI agent');
  });

  it.each([false, null, undefined])('shows no requester warning for %s', (flag) => {
    const { part } = renderCard({ call: makeCall({ ticket: { requester_mismatch: flag } }) });
    expect(part('requester-mismatch')).toBeNull();
    expect(screen.queryByText(/not this ticket's requester/)).toBeNull();
  });

  it('names the dropped ticket whose requester is not the caller', () => {
    const call = makeCall({ ticket: { id: 1002, link: 'dropped', requester_mismatch: true } });
    const { part } = renderCard({ call });
    expect(part('ticket-link').textContent).toBe(
      'Passed ticket 1001 was dropped: its requester is not the caller',
    );
    expect(part('requester-mismatch').textContent).toMatch(
      /^The caller is not the requester of ticket 1001.*did not link the call to it\.$/,
    );
  });

  it.each([
    ['fr', "L'appelant n'est pas le demandeur de ce ticket"],
    ['ko', '발신자가 이 티켓의 요청자가 아닙니다'],
    ['ru', 'Звонящий — не инициатор этой заявки'],
  ] as const)('warns about the requester in %s', (locale, title) => {
    const { part } = renderCard(
      { call: makeCall({ ticket: { requester_mismatch: true } }) },
      locale,
    );
    expect(part('requester-mismatch').textContent).toContain(title);
  });

  it('names the routing rule that sent the call to its targets, in each language', () => {
    const call = makeCall({ route_rule: { id: 'vip', name: 'VIP' } });
    const { part } = renderCard({ call });
    expect(part('route-rule').textContent).toBe('Routed by rule: VIP');
    expect(screen.getByText('Routing')).toBeTruthy();
    const shown = (['fr', 'ko', 'ru'] as const).map((locale) => {
      const view = renderCard({ call }, locale);
      const text = view.part('route-rule').textContent;
      view.unmount();
      return text;
    });
    expect(shown).toEqual([
      'Acheminé par la règle : VIP',
      '라우팅 규칙: VIP',
      'Направлен по правилу: VIP',
    ]);
  });

  it('shows no routing row for a call the line’s own targets took', () => {
    const { part } = renderCard({ call: makeCall({ route_rule: null }) });
    expect(part('route-rule')).toBeNull();
    expect(screen.queryByText('Routing')).toBeNull();
  });

  it('renders in French', () => {
    const { part } = renderCard(
      { call: makeCall({ final: { code: 486, reason: 'Busy Here' } }) },
      'fr',
    );
    expect(part('final-status').textContent).toBe('486 · Occupé (Busy Here)');
    expect(part('ticket-link').textContent).toBe("Transmis par l'agent IA");
    expect(within(part('caller')).getByText(/Utilisateur reconnu/)).toBeTruthy();
  });

  describe('handoff', () => {
    it('says who handed off, with the summary, intent and language', () => {
      const { part } = renderCard({ call: makeCall({ handoff: makeHandoff() }) });
      expect(within(part('handoff')).getByRole('heading', { level: 3 }).textContent).toBe(
        'Handed off by Acme Voice AI (production)',
      );
      expect(part('handoff-summary').textContent).toBe(
        'Charged twice for the November invoice; wants a refund.',
      );
      expect(part('handoff-intent').textContent).toBe('billing_dispute');
      expect(part('handoff-language').textContent).toBe('English (United States)');
    });

    it('keeps the transcript collapsed until the button is pressed', async () => {
      const { part } = renderCard({ call: makeCall({ handoff: makeHandoff() }) });
      const button = screen.getByRole('button', { name: 'Transcript (3)' });
      expect(button.getAttribute('aria-expanded')).toBe('false');
      expect(part('handoff-transcript').hidden).toBe(true);
      expect(screen.queryByText('I was charged twice.')).toBeNull();

      fireEvent.click(button);
      expect(button.getAttribute('aria-expanded')).toBe('true');
      const list = part('handoff-transcript');
      expect(button.getAttribute('aria-controls')).toBe(list.id);
      expect(list.hidden).toBe(false);
      // Its code is a chunk of its own, loaded on this first opening.
      const turns = await within(list).findAllByRole('listitem');
      expect(turns.map((li) => li.textContent)).toEqual([
        expect.stringMatching(/^AI agent · .+Hello, how can I help\?$/),
        expect.stringMatching(/^Caller · .+I was charged twice\.$/),
        'SystemTransferring to a person.',
      ]);
      expect(turns[0]!.querySelector('time')?.getAttribute('dateTime')).toBe(
        '2026-11-21T09:28:10.000Z',
      );

      fireEvent.click(button);
      expect(button.getAttribute('aria-expanded')).toBe('false');
      expect(screen.queryByText('I was charged twice.')).toBeNull();
    });

    it('shows transcript text as text, never as HTML', async () => {
      const handoff = makeHandoff({
        summary: '<i>y</i>',
        transcript: [{ role: 'caller', text: '<b>x</b>', at: null }],
      });
      const { part } = renderCard({ call: makeCall({ handoff }) });
      fireEvent.click(screen.getByRole('button', { name: 'Transcript (1)' }));
      const list = part('handoff-transcript');
      await within(list).findByRole('listitem');
      expect(list.textContent).toBe('Caller<b>x</b>');
      expect(list.querySelector('b')).toBeNull();
      expect(part('handoff').querySelector('i')).toBeNull();
    });

    it.each([null, undefined])('shows no handoff block for %s', (handoff) => {
      const { part } = renderCard({ call: makeCall({ handoff }) });
      expect(part('handoff')).toBeNull();
      expect(screen.queryByText(/Handed off by/)).toBeNull();
    });

    it('leaves out what the AI agent did not send', () => {
      const handoff = makeHandoff({ summary: null, intent: null, language: null, transcript: [] });
      const { part } = renderCard({ call: makeCall({ handoff }) });
      expect(part('handoff').textContent).toBe('Handed off by Acme Voice AI (production)');
      expect(screen.queryByRole('button', { name: /transcript/ })).toBeNull();
    });

    it.each([
      ['fr', 'Transféré par Acme', 'Transcription (3)', 'Appelant', /^anglais \(États-Unis\)$/],
      ['ko', 'Acme에서 전달함', '대화 기록 (3)', '발신자', /^영어 ?\(미국\)$/],
      ['ru', 'Передано: Acme', 'Расшифровка (3)', 'Абонент', /^английский \(/],
    ] as const)('renders the handoff in %s', async (locale, title, show, caller, language) => {
      const call = makeCall({ handoff: makeHandoff({ key_label: 'Acme' }) });
      const { part } = renderCard({ call }, locale);
      expect(part('handoff').querySelector('h3')?.textContent).toBe(title);
      // The language's name in the agent's language, as the browser's Intl data words it.
      expect(part('handoff-language').textContent).toMatch(language);
      fireEvent.click(screen.getByRole('button', { name: show }));
      await within(part('handoff-transcript')).findAllByRole('listitem');
      expect(part('handoff-transcript').textContent).toContain(caller);
    });
  });
});
