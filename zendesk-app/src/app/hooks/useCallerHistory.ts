import { useCallback, useRef, useState } from 'react';
import { BridgeError, bridgeRequest } from '../lib/bridgeRequest';
import { parseCallerHistory } from '../lib/parseHistory';
import type { CallerHistory } from '../lib/types';
import { useClient } from './useClient';

export type HistoryState =
  | { phase: 'loading' }
  | { phase: 'ready'; history: CallerHistory }
  | { phase: 'error'; error: BridgeError };

/** The ticket and the agent the history is asked for (what useTicketCalls read from ZAF). */
export interface HistoryContext {
  ticketId: number;
  userId: number | string;
}

/**
 * Each call's previous calls from its caller, from
 * `GET {api_url}/v1/tickets/{id}/calls/{call_id}/history`, asked only when the agent opens them
 * (`load`), once per call; a failed load is asked again by the next `load`.
 */
export function useCallerHistory(context: HistoryContext | undefined) {
  const { client, metadata } = useClient();
  const apiUrl = String(metadata.settings.api_url ?? '');
  const [histories, setHistories] = useState<ReadonlyMap<string, HistoryState>>(new Map());
  const asked = useRef(new Set<string>());

  const ticketId = context?.ticketId;
  const userId = context?.userId;

  const load = useCallback(
    (callId: string) => {
      if (ticketId === undefined || userId === undefined || asked.current.has(callId)) return;
      asked.current.add(callId);
      const put = (state: HistoryState) =>
        setHistories((current) => new Map(current).set(callId, state));
      put({ phase: 'loading' });
      const path = `/v1/tickets/${ticketId}/calls/${encodeURIComponent(callId)}/history`;
      bridgeRequest(client, { apiUrl, path, userId })
        .then((body) => {
          const history = parseCallerHistory(body);
          if (!history) throw new BridgeError('unexpected', 200);
          put({ phase: 'ready', history });
        })
        .catch((e: unknown) => {
          asked.current.delete(callId);
          put({
            phase: 'error',
            error: e instanceof BridgeError ? e : new BridgeError('unexpected', 0),
          });
        });
    },
    [client, apiUrl, ticketId, userId],
  );

  return { histories, load };
}
