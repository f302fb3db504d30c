// A line's webhook through the console (worker/src/routes/console-webhook.ts): where its events go
// and how the deliveries went. No answer carries the signing secret; making or rotating it is the
// admin token's (webhookCommands.ts shows the command).
import type { WebhookEventName as WebhookEventType } from '@sip-bridge/contract/webhook-events';
import { consoleRequest, type ConsoleTarget } from './consoleApi';

/** The webhook as the line shows it: never its secret. */
export interface LineWebhook {
  url: string;
  failover_url: string | null;
  events: WebhookEventType[];
  secret_created_at: string;
  previous_secret_valid_until: string | null;
}

export interface WebhookDelivery {
  event_id: string;
  type: WebhookEventType;
  target: 'primary' | 'failover';
  url: string;
  attempt: number;
  status_code: number | null;
  error: 'http_status' | 'timeout' | 'network' | 'url_refused' | null;
  outcome: 'delivered' | 'retry' | 'gave_up';
  at: string;
  next_attempt_at: string | null;
}

const linePath = (slug: string) => `/v1/console/lines/${encodeURIComponent(slug)}`;

/** Changes url, failover and events of a line that has a webhook; the webhook as written. */
export async function putWebhook(
  target: ConsoleTarget,
  slug: string,
  settings: { url: string; failover_url: string | null; events: WebhookEventType[] },
): Promise<LineWebhook> {
  return (await consoleRequest(target, `${linePath(slug)}/webhook`, 'PUT', settings))
    .webhook as LineWebhook;
}

/** The latest delivery attempts, newest first. */
export async function listDeliveries(
  target: ConsoleTarget,
  slug: string,
  limit = 10,
): Promise<WebhookDelivery[]> {
  const body = await consoleRequest(target, `${linePath(slug)}/webhook-deliveries?limit=${limit}`);
  return Array.isArray(body.deliveries) ? (body.deliveries as WebhookDelivery[]) : [];
}
