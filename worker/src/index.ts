import { createApp } from './app';
import { purgeOnSchedule } from './calls/retention';
import { flushAfterCalls } from './calls/flush-after-calls';
import type { Env } from './env';
import { BACKGROUND_TIMEOUT_MS, notePollDelaysMs, zendeskFromEnv } from './config';
import { syncPhoneIndexFromEnv } from './phone-index/sync';
import { CRON_PASSES, deliverWebhooksFromEnv } from './webhooks/deliver';

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * Cron: deletes call data older than RETENTION_DAYS (a bounded batch), follows the user and
   * note jobs still running at Zendesk, sends (batched) the first-time callers' users and the call
   * notes still due, advances the phone
   * index, and retries the webhook events due again.
   */
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(purgeOnSchedule(env, controller.scheduledTime));
    ctx.waitUntil(syncPhoneIndexFromEnv(env));
    ctx.waitUntil(
      flushAfterCalls(env.DB, zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS }), {
        pollDelaysMs: notePollDelaysMs(env),
      }),
    );
    ctx.waitUntil(deliverWebhooksFromEnv(env, CRON_PASSES));
  },
} satisfies ExportedHandler<Env>;
