// The console's call log: /v1/console/calls and /v1/console/calls/{call_id}
// (worker/src/routes/call-log.ts), through Zendesk's proxy like every console request.
import { parseTicketCalls } from '../lib/parseCalls';
import type { CallRecord, CallStatus } from '../lib/types';
import { ConsoleError, consoleRequest, type ConsoleTarget } from './consoleApi';

export const CALL_STATUSES: readonly CallStatus[] = [
  'ringing',
  'answered',
  'completed',
  'failed',
  'cancelled',
  'rejected',
];

/** The search form's fields; empty ones are not sent. */
export interface CallLogFilters {
  number: string;
  ticket: string;
  line: string;
  status: string;
  from: string;
  to: string;
}

export const NO_FILTERS: CallLogFilters = {
  number: '',
  ticket: '',
  line: '',
  status: '',
  from: '',
  to: '',
};

/** One call of the list. */
export interface CallLogItem {
  call_id: string;
  received_at: string;
  line: { slug: string; name: string | null };
  caller: { e164: string | null; display: string | null; kind: 'e164' | 'withheld' | 'invalid' };
  status: CallStatus;
  ticket_id: number | null;
  duration_s: number | null;
  cost_usd: string | null;
}

export interface CallLogPage {
  calls: CallLogItem[];
  time_zone: string;
  next_cursor: string | null;
}

/** Calls per page. */
export const PAGE_SIZE = 25;

/** The query string for the filters (trimmed, empty ones left out), a page's cursor and size. */
export function callLogQuery(filters: CallLogFilters, cursor?: string, limit = PAGE_SIZE): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value.trim()) params.set(key, value.trim());
  }
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return `?${params.toString()}`;
}

export async function listCalls(
  target: ConsoleTarget,
  filters: CallLogFilters,
  cursor?: string,
): Promise<CallLogPage> {
  const body = await consoleRequest(target, `/v1/console/calls${callLogQuery(filters, cursor)}`);
  if (!Array.isArray(body.calls)) throw new ConsoleError(200, 'unexpected');
  return body as unknown as CallLogPage;
}

/** One call's record, checked against the sidebar's own schema before it is shown. */
export async function showCall(target: ConsoleTarget, callId: string): Promise<CallRecord> {
  const body = await consoleRequest(target, `/v1/console/calls/${encodeURIComponent(callId)}`);
  const parsed = parseTicketCalls({ ticket_id: 0, calls: [body.call] });
  if (!parsed?.calls[0]) throw new ConsoleError(200, 'unexpected');
  return parsed.calls[0];
}
