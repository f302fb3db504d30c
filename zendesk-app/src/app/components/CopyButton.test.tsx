import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithI18n } from '../../test/render';
import { CopyButton } from './CopyButton';

afterEach(() => vi.restoreAllMocks());

describe('CopyButton', () => {
  it('copies the value and says so', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.spyOn(navigator, 'clipboard', 'get').mockReturnValue({ writeText } as unknown as Clipboard);
    renderWithI18n(<CopyButton text="abc@host" what="Call-ID" />);
    const button = screen.getByRole('button', { name: 'Copy Call-ID' });
    expect(button.textContent).toBe('Copy');
    fireEvent.click(button);
    expect(writeText).toHaveBeenCalledWith('abc@host');
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Copied'));
  });
});
