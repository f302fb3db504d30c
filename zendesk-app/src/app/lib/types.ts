// The app renders the Worker's own record type, so an API change breaks the build, not the agent.
import type { CallRecord } from './contract';

export type { CallerHistory, CallerHistoryEntry, CallRecord, TicketCalls } from './contract';
export type Candidate = CallRecord['caller']['candidates'][number];
export type CallStatus = CallRecord['status'];
