import type { CallEvent } from '@sip-bridge/contract/edge';
import { callCostMicros, callDurationSeconds } from './cost';

/** A lifecycle event as stored in call_events. */
export interface StoredEvent {
  kind: CallEvent['kind'];
  at: string;
  sip_code: number | null;
  reason: string | null;
  /** Which edge timer ended the call (EndCauseSchema), or null. */
  cause?: string | null;
}

const TERMINAL = new Set(['ended', 'failed', 'cancelled']);

/** Derives the record's timeline from its stored events. */
export function timeline(
  events: StoredEvent[],
  endedBy: string | undefined,
  pricePerMinuteMicros: number,
) {
  const answered = events.find((e) => e.kind === 'answered');
  const terminals = events.filter((e) => TERMINAL.has(e.kind));
  // A call that was answered ends with 'ended'; otherwise the first failure or cancel is final.
  const end =
    (answered && terminals.find((e) => e.kind === 'ended')) ??
    terminals.find((e) => e.kind !== 'ended') ??
    terminals[0];
  const durationS = answered && end ? callDurationSeconds(answered.at, end.at) : end ? 0 : null;
  const status = end
    ? end.kind === 'ended'
      ? 'completed'
      : end.kind === 'failed'
        ? 'failed'
        : 'cancelled'
    : answered
      ? 'answered'
      : 'ringing';
  const finalCode = end
    ? (end.sip_code ?? (end.kind === 'cancelled' ? 487 : end.kind === 'ended' ? 200 : null))
    : null;
  const finalReason = end
    ? (end.reason ??
      (end.kind === 'cancelled'
        ? 'Request Terminated'
        : end.kind === 'ended'
          ? `BYE${endedBy ? ` from ${endedBy}` : ''}`
          : null))
    : null;
  return {
    status,
    terminal: Boolean(end),
    answeredAt: answered?.at ?? null,
    endedAt: end?.at ?? null,
    durationS,
    finalCode,
    finalReason,
    finalCause: end?.cause ?? null,
    costMicros: durationS === null ? null : callCostMicros(durationS, pricePerMinuteMicros),
  };
}
