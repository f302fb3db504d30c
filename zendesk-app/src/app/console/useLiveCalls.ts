import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleTarget } from './consoleApi';
import { listLiveCalls, type LiveCall } from './liveCallsApi';

/** How often the list is read while the page is visible: inside the 5 s the console promises. */
export const LIVE_REFRESH_MS = 3000;

/**
 * The live calls, read now and every `refreshMs` while the tab is visible (again at once when it
 * comes back). `error` is the last read's failure, cleared by the next success.
 */
export function useLiveCalls(target: ConsoleTarget, refreshMs = LIVE_REFRESH_MS) {
  const [calls, setCalls] = useState<LiveCall[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const live = useRef(true);

  const refresh = useCallback(
    () =>
      listLiveCalls(target).then(
        (found) => {
          if (!live.current) return;
          setCalls(found);
          setError(null);
        },
        (e: unknown) => {
          if (live.current) setError(e);
        },
      ),
    [target],
  );

  useEffect(() => {
    live.current = true;
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void refresh();
    }, refreshMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live.current = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh, refreshMs]);

  return { calls, error, refresh };
}
