// Notes wait a moment before they are sent, so the notes of calls ending close together share one
// Update Many job: at 10 calls a second a 5 s linger puts about 50 notes in a job (one update and
// its polls for all of them) where sending at once would cost a job per call. One flush is
// scheduled per isolate at a time; calls ending while it lingers join it, and calls ending while
// it sends schedule the next one. The cron still sends whatever an isolate that went away left.

/** NOTE_LINGER_MS when set from 0 to 10000 ms, else 5000. */
export function noteLingerMs(raw: string | undefined): number {
  const configured = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isInteger(configured) && configured >= 0 && configured <= 10_000
    ? configured
    : 5000;
}

export interface NoteLinger {
  /**
   * Runs `flush` once `lingerMs` after the first call since the last run; the promise to hand to
   * `waitUntil` (the same one for every call that joins).
   */
  schedule(flush: () => Promise<unknown>, lingerMs: number): Promise<void>;
}

/** A linger with its own timer (tests inject `sleep`); the Worker keeps one per isolate. */
export function createNoteLinger(
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): NoteLinger {
  let waiting: Promise<void> | null = null;
  return {
    schedule(flush, lingerMs) {
      waiting ??= (async () => {
        await sleep(lingerMs);
        // Notes due from now on wait for the next flush: this one may already have read them.
        waiting = null;
        await flush().catch((e: unknown) => {
          console.error(`notes: flush failed: ${e instanceof Error ? e.message : String(e)}`);
        });
      })();
      return waiting;
    },
  };
}

/** The isolate's linger. */
export const isolateNoteLinger = createNoteLinger();
