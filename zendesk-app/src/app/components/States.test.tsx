import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithI18n } from '../../test/render';
import { EmptyState } from './EmptyState';
import { ErrorState } from './ErrorState';
import { LoadingState } from './LoadingState';

describe('states', () => {
  it('loading: a busy status with skeleton lines', () => {
    renderWithI18n(<LoadingState />);
    const status = screen.getByRole('status', { name: 'Loading SIP calls…' });
    expect(status.getAttribute('aria-busy')).toBe('true');
  });

  it('empty: no SIP call on this ticket', () => {
    renderWithI18n(<EmptyState />);
    expect(screen.getByText('No SIP call on this ticket')).toBeTruthy();
  });

  it('401: check the shared secret, with Retry', () => {
    const onRetry = vi.fn();
    renderWithI18n(<ErrorState kind="unauthorized" status={401} onRetry={onRetry} />);
    expect(screen.getByRole('alert').textContent).toContain(
      "Check that the app's shared secret matches the bridge's APP_JWT_SECRET.",
    );
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('unreachable: check the API URL', () => {
    renderWithI18n(<ErrorState kind="unreachable" status={502} onRetry={() => undefined} />);
    expect(screen.getByRole('alert').textContent).toContain('Check the API URL setting');
  });

  it('unexpected: names the status', () => {
    renderWithI18n(<ErrorState kind="unexpected" status={418} onRetry={() => undefined} />, 'ru');
    expect(screen.getByRole('alert').textContent).toContain('API ответил со статусом 418');
    expect(screen.getByRole('button', { name: 'Повторить' })).toBeTruthy();
  });

  it('sign in again: the agent, not the admin, has something to do', () => {
    renderWithI18n(<ErrorState kind="sign_in" status={401} onRetry={() => undefined} />, 'fr');
    expect(screen.getByRole('alert').textContent).toContain('Reconnectez-vous à Zendesk');
  });

  it('not permitted: says the ticket is hidden from this agent, in every locale', () => {
    for (const [locale, text] of [
      ['en', "You cannot see this ticket's calls"],
      ['ko', '이 티켓의 통화를 볼 수 없습니다'],
    ] as const) {
      const { unmount } = renderWithI18n(
        <ErrorState kind="not_permitted" status={404} onRetry={() => undefined} />,
        locale,
      );
      expect(screen.getByRole('alert').textContent).toContain(text);
      unmount();
    }
  });
});
