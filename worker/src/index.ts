import { createApp } from './app';
import { purgeOnSchedule } from './calls/retention';
import { duePendingSummaries, postCallSummary } from './calls/summary';
import { duePendingContexts, postCallContext } from './calls/context-update';
import type { Env } from './env';
import { zendeskFromEnv } from './config';
import { syncPhoneIndexFromEnv } from './phone-index/sync';

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * Cron: deletes call data older than RETENTION_DAYS (a bounded batch), and posts the call
   * summaries and call contexts Zendesk could not take at the time; advances the phone index.
   */
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(purgeOnSchedule(env, controller.scheduledTime));
    ctx.waitUntil(syncPhoneIndexFromEnv(env));
    const zendesk = zendeskFromEnv(env);
    const [summaries, contexts] = await Promise.all([
      duePendingSummaries(env.DB),
      duePendingContexts(env.DB),
    ]);
    ctx.waitUntil(Promise.all(summaries.map((id) => postCallSummary(env.DB, zendesk, id))));
    ctx.waitUntil(Promise.all(contexts.map((id) => postCallContext(env.DB, zendesk, id))));
  },
} satisfies ExportedHandler<Env>;
