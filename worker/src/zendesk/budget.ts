/** A per-account allowance of Zendesk requests, shared by everything that calls Zendesk. */
export interface Budget {
  /** Spends one request. False when this minute's allowance is spent or a 429 block is in force. */
  take(): Promise<boolean>;
  /** Refuses every `take()` until `epochMs` (after Zendesk answered 429). Never shortens a block. */
  blockUntil(epochMs: number): Promise<void>;
  /** Epoch ms until which requests are refused, or 0 when no block is in force. */
  blockedUntil(): Promise<number>;
  /**
   * True while this isolate already knows `take()` would refuse (a refusal or a 429 block seen
   * moments ago), without asking D1: lets callers fail at once rather than wait to send.
   */
  refusing(): boolean;
}

export interface D1BudgetOptions {
  /** Requests allowed per clock minute; keep it well under the plan's limit. */
  perMinute: number;
  now?: () => number;
}

const MINUTE_MS = 60_000;
/**
 * How long a refusal from D1 is remembered in this isolate. Short, because D1 does not say whether
 * the minute is spent or a 429 block (maybe of one second) is in force; a block set here is
 * remembered for its whole length.
 */
const REFUSAL_MEMORY_MS = 1000;

/** Per D1 database (one per account): the span in which this isolate knows take() refuses. */
const refusals = new WeakMap<D1Database, { since: number; until: number }>();

function rememberRefusal(db: D1Database, since: number, until: number) {
  const known = refusals.get(db);
  if (known && known.since <= since && known.until >= until) return;
  refusals.set(db, { since, until });
}

function knownRefused(db: D1Database, at: number): boolean {
  const known = refusals.get(db);
  // A clock before the refusal (tests' own clocks) ignores it rather than trusting it.
  return known !== undefined && known.since <= at && at < known.until;
}

/** Forgets every refusal this isolate remembers (tests that reset the budget table). */
export function forgetBudgetRefusals(db: D1Database) {
  refusals.delete(db);
}

// One statement, so concurrent isolates cannot overspend: D1 runs each statement atomically.
// The SELECT inserts nothing while a block is in force; the DO UPDATE changes nothing once the
// window is full. Either way RETURNING yields no row. (SQLite needs the WHERE on an
// INSERT ... SELECT to parse the ON CONFLICT clause.)
const TAKE_SQL = `
INSERT INTO zendesk_budget (window_start, used)
SELECT ?1, 1 WHERE NOT EXISTS (SELECT 1 FROM zendesk_budget WHERE blocked_until > ?2)
ON CONFLICT (window_start) DO UPDATE SET used = used + 1 WHERE used < ?3
RETURNING used`;

// Old windows are useless once over, except the row carrying a block still in force.
const PRUNE_SQL = `DELETE FROM zendesk_budget WHERE window_start < ?1 AND blocked_until <= ?2`;

// The block is recorded on the current window's row; take() looks at every row.
const BLOCK_SQL = `
INSERT INTO zendesk_budget (window_start, used, blocked_until) VALUES (?1, 0, ?2)
ON CONFLICT (window_start) DO UPDATE SET blocked_until = MAX(blocked_until, excluded.blocked_until)`;

const BLOCKED_UNTIL_SQL = `SELECT COALESCE(MAX(blocked_until), 0) AS until FROM zendesk_budget`;

/**
 * A budget kept in D1 table `zendesk_budget`, so every isolate spends from the same minute window
 * and honours the same 429 block.
 *
 * @example
 * const budget = createD1Budget(env.DB, { perMinute: 300 });
 * if (await budget.take()) await fetch(zendeskUrl);
 */
export function createD1Budget(db: D1Database, options: D1BudgetOptions): Budget {
  const now = options.now ?? Date.now;
  const perMinute = Math.floor(options.perMinute);
  const windowStart = (at: number) => Math.floor(at / MINUTE_MS) * MINUTE_MS;

  return {
    async take() {
      if (!(perMinute > 0)) return false;
      const at = now();
      if (knownRefused(db, at)) return false;
      const window = windowStart(at);
      // Batched: one round trip, and pruning (usually a no-op) rides along with the take.
      const [taken] = await db.batch<{ used: number }>([
        db.prepare(TAKE_SQL).bind(window, at, perMinute),
        db.prepare(PRUNE_SQL).bind(window, at),
      ]);
      const granted = (taken?.results.length ?? 0) > 0;
      if (!granted) {
        rememberRefusal(db, at, Math.min(at + REFUSAL_MEMORY_MS, window + MINUTE_MS));
      }
      return granted;
    },

    async blockUntil(epochMs) {
      const at = now();
      rememberRefusal(db, at, Math.ceil(epochMs));
      await db.prepare(BLOCK_SQL).bind(windowStart(at), Math.ceil(epochMs)).run();
    },

    refusing() {
      return !(perMinute > 0) || knownRefused(db, now());
    },

    async blockedUntil() {
      const row = await db.prepare(BLOCKED_UNTIL_SQL).first<{ until: number }>();
      const until = row?.until ?? 0;
      return until > now() ? until : 0;
    },
  };
}

/**
 * A budget that never refuses, for scripts and one-off tools that run outside the Worker.
 *
 * @example
 * const zendesk = createZendeskClient({ ...credentials, budget: unlimitedBudget });
 */
export const unlimitedBudget: Budget = {
  take: async () => true,
  blockUntil: async () => {},
  blockedUntil: async () => 0,
  refusing: () => false,
};
