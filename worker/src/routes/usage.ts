// Usage and peaks (issue 17): per line and local day, as JSON or CSV, and a weekday × hour heat
// map. The same routes serve the console (/v1/console/usage*, a Zendesk admin's sign-in) and
// scripts (/v1/reports/usage*, the admin token), over one implementation.
import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter, type AppEnv } from '../router';
import { errorResponses, ErrorSchema, jsonContent } from '../schemas/common';
import { HeatmapSchema, UsageQuerySchema, UsageReportSchema } from '../schemas/usage';
import { usageHeatmap } from '../reports/heatmap';
import { accountTimeZone } from '../reports/time-zone';
import { usageReport, type UsageQuery } from '../reports/usage';
import { usageCsv, usageCsvFilename } from '../reports/usage-csv';

const consoleRefusals = {
  403: jsonContent(ErrorSchema, 'The signed-in Zendesk user is not an admin (`admin_required`)'),
  503: jsonContent(ErrorSchema, 'Zendesk could not confirm who the user is'),
};

/** The validated query with the zone filled in: the request's, else the account's. */
function usageQuery(c: Context<AppEnv>, q: z.infer<typeof UsageQuerySchema>): UsageQuery {
  return {
    from: q.from,
    to: q.to,
    timeZone: q.time_zone ?? accountTimeZone(c.env),
    ...(q.line === undefined ? {} : { line: q.line }),
  };
}

/** The three usage routes under `prefix` (/v1/console or /v1/reports). */
function usageRoutes(prefix: '/v1/console' | '/v1/reports') {
  const isConsole = prefix === '/v1/console';
  const security = isConsole ? [{ appJwt: [], agentToken: [] }] : [{ adminToken: [] }];
  const refusals = isConsole ? consoleRefusals : {};
  const who = isConsole
    ? 'For Zendesk admins in the admin console (app JWT and the admin’s own Zendesk sign-in); the same as `/v1/reports/usage*` with the admin token.'
    : 'For scripts, with the admin token; the same as the console’s `/v1/console/usage*`.';
  const request = { query: UsageQuerySchema };

  const json = createRoute({
    method: 'get',
    path: `${prefix}/usage`,
    summary: 'Calls, answered rate, billed minutes and cost per line and local day',
    description: `${who} Minutes are billed as Zendesk bills a leg (each started minute), at the line’s price_per_minute_micros. At most 92 days; a DST day has 23 or 25 hours.`,
    security,
    request,
    responses: {
      200: jsonContent(UsageReportSchema, 'Rows by day then line, and totals'),
      ...errorResponses,
      ...refusals,
    },
  });
  const csv = createRoute({
    method: 'get',
    path: `${prefix}/usage.csv`,
    summary: 'The usage report as CSV, one row per line and local day',
    description: `${who} RFC 4180 with a header row and CRLF line ends, as an attachment.`,
    security,
    request,
    responses: {
      200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
      ...errorResponses,
      ...refusals,
    },
  });
  const heatmap = createRoute({
    method: 'get',
    path: `${prefix}/usage/heatmap`,
    summary: 'Calls received and peak concurrent calls per local weekday and hour',
    description: `${who} A call is in progress from received to ended (it holds a channel while it rings).`,
    security,
    request,
    responses: {
      200: jsonContent(HeatmapSchema, '168 cells, weekday (0 = Monday) then hour'),
      ...errorResponses,
      ...refusals,
    },
  });

  return createRouter()
    .openapi(json, async (c) =>
      c.json(await usageReport(c.env.DB, usageQuery(c, c.req.valid('query'))), 200),
    )
    .openapi(csv, async (c) => {
      const report = await usageReport(c.env.DB, usageQuery(c, c.req.valid('query')));
      return c.body(usageCsv(report), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${usageCsvFilename(report)}"`,
      });
    })
    .openapi(heatmap, async (c) => {
      const q = usageQuery(c, c.req.valid('query'));
      const cells = await usageHeatmap(c.env.DB, q);
      return c.json({ from: q.from, to: q.to, time_zone: q.timeZone, cells }, 200);
    });
}

export const consoleUsageRoutes = usageRoutes('/v1/console');
export const reportUsageRoutes = usageRoutes('/v1/reports');
