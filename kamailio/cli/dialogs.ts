import type { Dialog } from 'kamailio-jsonrpc';

// One definition with endCall(), which the agent's hang-up command shares.
export { activeDialogs } from 'kamailio-jsonrpc';

/**
 * The line slug from the dialog variable `call` (the call facts JSON the edge stored at INVITE);
 * `unknown` when it is missing or not the JSON the edge writes.
 */
export function lineOf(dialog: Dialog): string {
  const facts = dialog.variables.call;
  if (!facts) return 'unknown';
  try {
    const line = (JSON.parse(facts) as { line?: unknown } | null)?.line;
    return typeof line === 'string' && line ? line : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The user part of a SIP URI (the caller's number, usually), else the URI as given.
 * @example callerOf('sip:+14155550100@10.0.0.1:5060') // '+14155550100'
 */
export function callerOf(uri: string): string {
  const match = /^<?sips?:([^@;>]+)@/i.exec(uri.trim());
  if (!match) return uri;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}

/** Seconds since the call was answered (0 before). */
export function answeredSeconds(dialog: Dialog, nowMs: number): number {
  return dialog.startTs > 0 ? Math.max(0, Math.floor(nowMs / 1000) - dialog.startTs) : 0;
}

/** A state name as a stable JSON key: `confirmed-no-ack` → `confirmed_no_ack`. */
export function stateKey(dialog: Dialog): string {
  return dialog.stateName.replace(/-/g, '_');
}
