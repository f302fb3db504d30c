// What goes to Zendesk after calls, never in their path: first-time callers' users (so the
// requesters they make due go out with the notes), then the notes, summaries and requesters.
import type { ZendeskClient } from '../zendesk/client';
import { flushCallerUsers, type UserFlushReport } from './caller-users';
import { flushNotes, type FlushOptions, type FlushReport } from './note-batches';

export interface AfterCallsReport {
  users: UserFlushReport | null;
  notes: FlushReport;
}

/**
 * Flushes the callers' users, then the notes; a failure of the first is logged and the notes
 * still go (a requester not yet due waits for the next flush).
 */
export async function flushAfterCalls(
  db: D1Database,
  zendesk: ZendeskClient,
  options: FlushOptions = {},
): Promise<AfterCallsReport> {
  let users: UserFlushReport | null = null;
  try {
    users = await flushCallerUsers(db, zendesk, options);
  } catch (e) {
    console.error(`callers' users: flush failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { users, notes: await flushNotes(db, zendesk, options) };
}
