// The console's live calls (/v1/console/calls/*, worker/src/routes/live-calls.ts): the list, and
// asking the edge to end one.
import { consoleRequest, type ConsoleTarget } from './consoleApi';

/** An admin's hang-up as the Worker follows it (queued → sent → done, or failed / expired). */
export interface HangupState {
  id: string;
  status: 'queued' | 'sent' | 'done' | 'failed' | 'expired';
  requested_by: string;
  requested_at: string;
  failure: string | null;
}

/** A call in progress as `GET /v1/console/calls/live` answers it. */
export interface LiveCall {
  call_id: string;
  line: string;
  status: 'ringing' | 'answered';
  caller: { e164: string | null; kind: string };
  matched_user: { result: string; user_id: number | null };
  ticket_id: number | null;
  received_at: string;
  answered_at: string | null;
  duration_s: number | null;
  hangup: HangupState | null;
}

/** The calls in progress, by line. */
export async function listLiveCalls(target: ConsoleTarget): Promise<LiveCall[]> {
  const body = await consoleRequest(target, '/v1/console/calls/live');
  return Array.isArray(body.calls) ? (body.calls as LiveCall[]) : [];
}

/** Asks the edge to end an answered call; the hang-up as queued. */
export async function endLiveCall(target: ConsoleTarget, callId: string): Promise<HangupState> {
  const path = `/v1/console/calls/${encodeURIComponent(callId)}/hangup`;
  return (await consoleRequest(target, path, 'POST')).hangup as HangupState;
}
