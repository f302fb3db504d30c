import { createApp } from './app';
import { duePendingSummaries, postCallSummary } from './calls/summary';
import type { Env } from './env';
import { zendeskFromEnv } from './config';

const app = createApp();

export default {
  fetch: app.fetch,
  /** Cron: posts the call summaries Zendesk could not take when the call ended. */
  async scheduled(_event, env, ctx) {
    const zendesk = zendeskFromEnv(env);
    const due = await duePendingSummaries(env.DB);
    ctx.waitUntil(Promise.all(due.map((id) => postCallSummary(env.DB, zendesk, id))));
  },
} satisfies ExportedHandler<Env>;
