// Ending a call by its Call-ID, as `sipbridge hangup` and the edge agent's hang-up command do it:
// one place that knows which dialogs count and what Kamailio's answers mean.
import type { KamailioRpc } from './client';
import { KamailioRpcError } from './errors';
import { isAnswered, type Dialog } from './results';

/** Kamailio's `deleted` state: the call has ended, the dialog is only waiting to be freed. */
const DELETED = 5;

/** Dialogs of calls still up (ringing or answered). */
export function activeDialogs(dialogs: Dialog[]): Dialog[] {
  return dialogs.filter((d) => d.state !== DELETED);
}

/** What became of an attempt to end a call. */
export type EndCallOutcome =
  | { ended: true; dialogs: Dialog[] }
  | { ended: false; reason: 'no_such_call' }
  | { ended: false; reason: 'not_answered'; stateName: string };

/**
 * Ends every answered dialog with this Call-ID (`dlg.end_dlg`: BYE to both sides). A Call-ID
 * Kamailio does not track, or whose dialog ended between the list and the end (`404`), is
 * `no_such_call`; one still ringing is `not_answered` (Kamailio ends answered dialogs only).
 * Other failures (unreachable, refused) are thrown as the client's errors.
 * @example const outcome = await endCall(kamailio, 'a84b4c76e66710@pc33.example.com');
 */
export async function endCall(
  rpc: Pick<KamailioRpc, 'dialogs' | 'endDialog'>,
  callId: string,
): Promise<EndCallOutcome> {
  const matching = activeDialogs(await rpc.dialogs()).filter((d) => d.callId === callId);
  if (matching.length === 0) return { ended: false, reason: 'no_such_call' };
  const answered = matching.filter(isAnswered);
  if (answered.length === 0) {
    return { ended: false, reason: 'not_answered', stateName: matching[0]!.stateName };
  }
  for (const dialog of answered) {
    try {
      await rpc.endDialog(dialog.hEntry, dialog.hId);
    } catch (error) {
      // Ended between the list and now (someone hung up): nothing left to end.
      if (error instanceof KamailioRpcError && error.code === 404) {
        return { ended: false, reason: 'no_such_call' };
      }
      throw error;
    }
  }
  return { ended: true, dialogs: answered };
}
