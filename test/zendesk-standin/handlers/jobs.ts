// Background jobs: queued by a batch endpoint (Update Many Tickets, Create Or Update Many Users),
// shown by Show Job Status (`GET /api/v2/job_statuses/{id}`), and run when they have been polled
// `jobPollsToComplete` times (options), so tests are deterministic.
import { json } from 'itty-router';
import { notFound } from '../responses';
import type { JobType, StoredJob, StoredJobItem, StoredJobResult } from '../store';
import type { ApiContext, ApiRequest, ApiRouter } from './context';

/** Runs a job's items and answers one result per item, in order. */
export type JobRunner = (job: StoredJob, ctx: ApiContext) => Promise<StoredJobResult[]>;

const runners = new Map<JobType, JobRunner>();

/** Registers how jobs of a type run (each batch endpoint registers its own). */
export function registerJobRunner(type: JobType, runner: JobRunner): void {
  runners.set(type, runner);
}

export function registerJobRoutes(router: ApiRouter): void {
  router.get('/api/v2/job_statuses/:id', showJob);
}

/**
 * Queues a job and answers its `job_status`, or 429 past the account's limit of jobs queued or
 * running. UNCONFIRMED: Zendesk's rate-limits page caps them ("Job limit"); the answer past it is
 * taken to be a 429 with Retry-After, like the other limits.
 */
export function queueJob(ctx: ApiContext, items: StoredJobItem[], type: JobType): Response {
  const active = [...ctx.store.jobs.values()].filter(
    (j) => j.status === 'queued' || j.status === 'working',
  ).length;
  if (active >= ctx.options.maxActiveJobs) {
    return json(
      {
        error: 'TooManyJobs',
        description: `At most ${ctx.options.maxActiveJobs} jobs can be queued or running`,
      },
      { status: 429, headers: { 'Retry-After': '10' } },
    );
  }
  const job = ctx.store.addJob(items, ctx.actor.id, type);
  return json({ job_status: jobJson(job, ctx.origin) });
}

async function showJob(req: ApiRequest, ctx: ApiContext): Promise<Response> {
  const job = req.params.id === undefined ? undefined : ctx.store.jobs.get(req.params.id);
  if (!job) return notFound();
  if (job.status === 'queued' || job.status === 'working') {
    job.polls += 1;
    if (job.polls >= ctx.options.jobPollsToComplete) {
      const runner = runners.get(job.jobType);
      if (!runner) throw new Error(`no runner for ${job.jobType} jobs`);
      // Items run as the API user who queued the job.
      const actor = ctx.store.users.get(job.actorId) ?? ctx.actor;
      job.results = await runner(job, { ...ctx, actor });
      job.status = 'completed';
      job.completedAt = ctx.options.now();
    } else job.status = 'working';
  }
  return json({ job_status: jobJson(job, ctx.origin) });
}

/**
 * The `job_status` object. Field names are Zendesk's (id, url, total, progress, status, message,
 * results); UNCONFIRMED: `results` is null until the job has run, and `message` wording.
 */
function jobJson(job: StoredJob, origin: string) {
  const done = job.status === 'completed' || job.status === 'failed';
  return {
    id: job.id,
    url: `${origin}/api/v2/job_statuses/${job.id}.json`,
    job_type: job.jobType,
    total: job.items.length,
    progress: done ? job.items.length : 0,
    status: job.status,
    message: done ? `Completed at ${new Date(job.completedAt!).toISOString()}` : null,
    results: job.results,
  };
}
