import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithI18n } from '../../test/render';
import { failedChunkUrl, lazyPart, PartLoading } from './LazyPart';

afterEach(() => vi.restoreAllMocks());

function Shown({ text }: { text: string }) {
  return <p>{text}</p>;
}
const Loading = () => <PartLoading label="Loading the part…" />;
type Chunk = { default: typeof Shown };

function deferred() {
  let resolve!: (chunk: Chunk) => void;
  const promise = new Promise<Chunk>((r) => (resolve = r));
  return { promise, resolve };
}

describe('lazyPart', () => {
  it('shows a polite status until its chunk has loaded, then the part; later uses render at once', async () => {
    const chunk = deferred();
    const load = vi.fn(() => chunk.promise);
    const Part = lazyPart(load, Loading);
    const view = renderWithI18n(<Part text="one" />);
    const status = screen.getByRole('status', { name: 'Loading the part…' });
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.textContent?.trim()).toBe('Loading the part…'); // and the skeletons' spaces

    await act(async () => chunk.resolve({ default: Shown }));
    expect(screen.getByText('one')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();

    view.rerender(
      <>
        <Part text="one" />
        <Part text="two" />
      </>,
    );
    expect(screen.getByText('two')).toBeTruthy();
    expect(load).toHaveBeenCalledOnce();
  });

  it('starts fetching on preload(), before the part renders', () => {
    const load = vi.fn(() => deferred().promise);
    lazyPart(load, Loading).preload();
    expect(load).toHaveBeenCalledOnce();
  });

  it('leaves a message with Retry in place of a part whose chunk failed, the rest intact', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // React reports the caught error
    const load = vi
      .fn<() => Promise<Chunk>>()
      .mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module'))
      .mockResolvedValue({ default: Shown });
    const Part = lazyPart(load, Loading);
    renderWithI18n(
      <main>
        <p>Call details</p>
        <Part text="loaded" />
      </main>,
      'ru',
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Не удалось загрузить эту часть приложения.');
    expect(screen.getByText('Call details')).toBeTruthy();
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('Failed to fetch dynamically imported module'),
      expect.anything(),
    );

    fireEvent.click(within(alert).getByRole('button', { name: 'Повторить' }));
    expect(await screen.findByText('loaded')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('says so with the messages it is given: a console page that failed, in Korean', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const load = vi
      .fn<() => Promise<Chunk>>()
      .mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module'))
      .mockResolvedValue({ default: Shown });
    const Part = lazyPart(load, Loading, {
      messages: { failed: 'console.nav.failed', retry: 'console.nav.retry' },
    });
    renderWithI18n(<Part text="page" />, 'ko');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('이 페이지를 불러올 수 없습니다.');
    fireEvent.click(within(alert).getByRole('button', { name: '다시 시도' }));
    expect(await screen.findByText('page')).toBeTruthy();
  });

  it('retries a failed chunk under a new URL: the browser keeps the failed import of the old one', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = 'https://app.zdassets.example/assets/Transcript-AbC123.js';
    const load = vi
      .fn<() => Promise<Chunk>>()
      .mockRejectedValue(new TypeError(`Failed to fetch dynamically imported module: ${url}`));
    const reimport = vi
      .fn<(u: string) => Promise<Chunk>>()
      .mockRejectedValueOnce(
        new TypeError(`Failed to fetch dynamically imported module: ${url}?retry=1`),
      )
      .mockResolvedValue({ default: Shown });
    const Part = lazyPart(load, Loading, {
      reimport,
      base: 'https://app.zdassets.example/assets/main.js',
    });
    renderWithI18n(<Part text="loaded" />);
    const retry = async () =>
      fireEvent.click(
        within(await screen.findByRole('alert')).getByRole('button', { name: 'Retry' }),
      );
    await retry();
    await retry();
    expect(await screen.findByText('loaded')).toBeTruthy();
    expect(load).toHaveBeenCalledOnce();
    expect(reimport.mock.calls.map(([u]) => u)).toEqual([`${url}?retry=1`, `${url}?retry=2`]);
  });
});

describe('failedChunkUrl', () => {
  const base = 'https://app.zdassets.example/assets/main-1.js';
  it.each([
    [
      'Failed to fetch dynamically imported module: https://app.zdassets.example/assets/T-x.js',
      'https://app.zdassets.example/assets/T-x.js',
    ],
    [
      'error loading dynamically imported module: https://app.zdassets.example/assets/T-x.js',
      'https://app.zdassets.example/assets/T-x.js',
    ],
    ['Importing a module script failed.', null],
    ['Failed to fetch dynamically imported module: https://elsewhere.example/assets/T-x.js', null],
  ])('%j → %j', (message, expected) => {
    expect(failedChunkUrl(new TypeError(message), base)).toBe(expected);
  });
});
