import { describe, expect, it } from 'vitest';
import { renderWithI18n } from '../../test/render';
import { SipStatus } from './SipStatus';

describe('SipStatus', () => {
  it.each([
    [486, 'Busy'],
    [487, 'Caller hung up before answer'],
    [603, 'Declined'],
    [408, 'No answer'],
    [503, 'Service unavailable'],
    [480, 'Temporarily unavailable (no agent free)'],
    [481, 'The call was refused'],
    [599, 'Failure on the server side'],
  ])('explains %i as "%s"', (code, meaning) => {
    const { container } = renderWithI18n(<SipStatus code={code} />);
    expect(container.textContent).toBe(`${code} · ${meaning}`);
  });

  it('says when the final status is not known yet', () => {
    const { container } = renderWithI18n(<SipStatus code={null} />);
    expect(container.textContent).toBe('Not known yet');
  });
});
