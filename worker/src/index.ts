import { createApp } from './app';
import { purgeOnSchedule } from './calls/retention';
import { duePendingSummaries, postCallSummary } from './calls/summary';
import type { Env } from './env';
import { zendeskFromEnv } from './config';

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * Cron: deletes call data older than RETENTION_DAYS (a bounded batch), and posts the call
   * summaries Zendesk could not take when the call ended.
   */
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(purgeOnSchedule(env, controller.scheduledTime));
    const zendesk = zendeskFromEnv(env);
    const due = await duePendingSummaries(env.DB);
    ctx.waitUntil(Promise.all(due.map((id) => postCallSummary(env.DB, zendesk, id))));
  },
} satisfies ExportedHandler<Env>;
