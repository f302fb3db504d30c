import { useCallback, useEffect, useRef, useState } from 'react';
import type { ZafClient } from 'zendesk_app_framework_sdk';
import { BridgeError, bridgeRequest } from '../lib/bridgeRequest';
import { isInProgress, parseTicketCalls } from '../lib/parseCalls';
import type { CallRecord } from '../lib/types';
import type { HistoryContext } from './useCallerHistory';
import { useClient } from './useClient';

export type CallsState =
  | { phase: 'loading' }
  | { phase: 'no_ticket' }
  | { phase: 'ready'; calls: CallRecord[]; polling: boolean; context: HistoryContext }
  | { phase: 'error'; error: BridgeError };

export interface PollingOptions {
  /** Re-poll interval while a call is ringing or answered. */
  intervalMs?: number;
  /** Upper bound on re-polls per load (720 × 5 s = one hour). */
  maxPolls?: number;
}

interface TicketContext {
  ticketId: number | null;
  userId: number | string;
}

async function readTicketContext(client: ZafClient): Promise<TicketContext> {
  const data = await client.get(['ticket.id', 'currentUser.id']);
  const ticketId = Number(data['ticket.id']);
  return {
    ticketId: Number.isSafeInteger(ticketId) && ticketId > 0 ? ticketId : null,
    userId: String(data['currentUser.id'] ?? ''),
  };
}

/**
 * The SIP calls linked to the open ticket, from `GET {api_url}/v1/tickets/{id}/calls`.
 * While a call is in progress it re-polls every 5 s, and stops when the call ends (or at maxPolls).
 * `chooseCaller` sets an ambiguous call's candidate as requester and records the choice.
 */
export function useTicketCalls({ intervalMs = 5000, maxPolls = 720 }: PollingOptions = {}) {
  const { client, metadata } = useClient();
  const apiUrl = String(metadata.settings.api_url ?? '');
  const [state, setState] = useState<CallsState>({ phase: 'loading' });
  const [generation, setGeneration] = useState(0);
  const context = useRef<TicketContext>();

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let polls = 0;
    let showing: CallRecord[] | undefined;
    let ready: HistoryContext | undefined;

    const schedule = (calls: CallRecord[]) => {
      const more = calls.some(isInProgress) && polls < maxPolls;
      if (more) {
        polls += 1;
        timer = setTimeout(() => void load(), intervalMs);
      }
      return more;
    };

    async function load() {
      try {
        context.current ??= await readTicketContext(client);
        const { ticketId, userId } = context.current;
        if (!ticketId) return live && setState({ phase: 'no_ticket' });
        const path = `/v1/tickets/${ticketId}/calls`;
        const parsed = parseTicketCalls(await bridgeRequest(client, { apiUrl, path, userId }));
        if (!parsed) throw new BridgeError('unexpected', 200);
        if (!live) return;
        showing = parsed.calls;
        ready ??= { ticketId, userId };
        setState({ phase: 'ready', calls: showing, polling: schedule(showing), context: ready });
      } catch (e) {
        if (!live) return;
        // A failed re-poll keeps what the agent sees and tries again; a failed first load says why.
        if (showing && ready)
          return setState({
            phase: 'ready',
            calls: showing,
            polling: schedule(showing),
            context: ready,
          });
        setState({
          phase: 'error',
          error: e instanceof BridgeError ? e : new BridgeError('unexpected', 0),
        });
      }
    }

    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, apiUrl, generation, intervalMs, maxPolls]);

  const retry = useCallback(() => {
    setState({ phase: 'loading' });
    setGeneration((g) => g + 1);
  }, []);

  const chooseCaller = useCallback(
    async (callId: string, userId: number) => {
      const ctx = context.current;
      if (!ctx?.ticketId) throw new Error('no ticket');
      await client.set('ticket.requester', { id: userId });
      await bridgeRequest(client, {
        apiUrl,
        path: `/v1/tickets/${ctx.ticketId}/calls/${encodeURIComponent(callId)}/caller`,
        method: 'PUT',
        body: { user_id: userId },
        userId: ctx.userId,
      });
      setGeneration((g) => g + 1);
    },
    [client, apiUrl],
  );

  return { state, retry, chooseCaller };
}
