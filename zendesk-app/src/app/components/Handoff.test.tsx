import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeHandoff } from '../../test/fixtures';
import { renderWithI18n } from '../../test/render';
import { Handoff } from './Handoff';

// The transcript's chunk arrives only when the test says so, to see the part while it loads.
const chunk = vi.hoisted(() => {
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  return { arrived, arrive: () => arrive() };
});
vi.mock('./Transcript', async (importOriginal) => {
  await chunk.arrived;
  return importOriginal();
});

describe('Handoff transcript, loaded on first opening', () => {
  it('keeps focus on its button and says, in the agent’s language, that it is loading', async () => {
    renderWithI18n(<Handoff handoff={makeHandoff()} />, 'fr');
    const button = screen.getByRole('button', { name: 'Transcription (3)' });
    button.focus();
    fireEvent.click(button);
    const region = document.getElementById(button.getAttribute('aria-controls') ?? '');
    expect(region?.hidden).toBe(false);
    const status = within(region!).getByRole('status', { name: 'Chargement de la transcription…' });
    expect(status.textContent?.trim()).toBe('Chargement de la transcription…');
    expect(document.activeElement).toBe(button);

    chunk.arrive();
    expect(await within(region!).findAllByRole('listitem')).toHaveLength(3);
    expect(within(region!).queryByRole('status')).toBeNull();
    expect(region?.textContent).toContain('Appelant');
    expect(document.activeElement).toBe(button);
  });
});
