import { spendCreation } from '../lines/creation-cap';
import type { LineConfig } from '../lines/store';
import { displayNumber } from '../phone/display';
import { indexCreatedUser } from '../phone-index/store';
import type { ZendeskClient } from '../zendesk/client';
import { writeCachedMatch } from './match-cache';
import type { CallerMatch } from './match-caller';

/** What is known of a caller no Zendesk user has the number of. */
export interface NewCaller {
  e164: string;
  name?: string | undefined;
  email?: string | undefined;
  externalId?: string | undefined;
}

/**
 * Creates the Zendesk end-user for a caller nobody has the number of (E.164 phone, so the next
 * call matches it instead of making a duplicate), taking one creation from the line's cap (unless
 * `capTaken`: the caller took it already, with the ticket's), and caches the match and adds it to
 * the phone index: Zendesk's search finds a new user only minutes later, and the user export a
 * minute later at best. Throws CreationCapError over the cap; Zendesk errors propagate (never
 * retried: a retry could make a second user).
 * @example const match = await createCallerUser({ db, zendesk, now }, line, { e164 }, deadline);
 */
export async function createCallerUser(
  deps: { db: D1Database; zendesk: ZendeskClient; now: () => number },
  line: Pick<LineConfig, 'id' | 'maxCreationsPerMinute'>,
  caller: NewCaller,
  deadline: number,
  opts: { capTaken?: boolean } = {},
): Promise<CallerMatch & { result: 'matched'; userId: number }> {
  if (!opts.capTaken) await spendCreation(deps.db, line, deps.now());
  const user = await deps.zendesk.createUser(
    {
      name: caller.name ?? `Caller ${displayNumber(caller.e164)}`,
      phone: caller.e164,
      ...(caller.email ? { email: caller.email } : {}),
      ...(caller.externalId ? { external_id: caller.externalId } : {}),
    },
    { deadline },
  );
  const match = { result: 'matched' as const, userId: user.id, candidates: [] };
  await writeCachedMatch(deps.db, caller.e164, match, deps.now());
  // The phone index learns of the user at once, not a sync later (it may answer no_match alone).
  await indexCreatedUser(deps.db, {
    e164: caller.e164,
    userId: user.id,
    name: user.name,
    phone: user.phone ?? caller.e164,
  });
  return match;
}
