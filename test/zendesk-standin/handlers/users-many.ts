// Create Or Update Many Users: `POST /api/v2/users/create_or_update_many` with a `users` array of
// up to 100 user objects, queued as a background job (jobs.ts). Each item is matched to an existing
// user by `external_id`, then by `email`; a match is updated, anything else is created with Create
// User's checks. The job's `results` are in the order of the request (a Zendesk advocate confirmed
// the order), each with the user's id and "Created" or "Updated", or "Failed" with the reason.
// UNCONFIRMED simplification: an update changes only `name` and `phone`.
import { json } from 'itty-router';
import { FieldErrorList, isRecord } from '../responses';
import type { StoredJob, StoredJobResult } from '../store';
import type { ApiContext, ApiRequest, ApiRouter } from './context';
import { queueJob, registerJobRunner } from './jobs';
import { badRequest } from './update-many';
import { addValidUser } from './users';

/** "Accepts an array of up to 100 user objects." */
export const MAX_USERS_PER_JOB = 100;

export function registerUsersManyRoutes(router: ApiRouter): void {
  router.post('/api/v2/users/create_or_update_many', createOrUpdateMany);
  registerJobRunner('bulk_create_or_update_users', runUserJob);
}

function createOrUpdateMany(_req: ApiRequest, ctx: ApiContext): Response {
  const users = isRecord(ctx.body) ? ctx.body.users : undefined;
  if (!Array.isArray(users)) {
    return json({ error: 'ParameterMissing', description: 'users' }, { status: 400 });
  }
  if (users.length === 0) return badRequest('users must not be empty');
  if (users.length > MAX_USERS_PER_JOB) {
    return badRequest(`Too many users: at most ${MAX_USERS_PER_JOB} per request`);
  }
  if (!users.every(isRecord)) return badRequest('every user must be an object');
  return queueJob(
    ctx,
    users.map((changes) => ({ id: 0, changes })),
    'bulk_create_or_update_users',
  );
}

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

async function runUserJob(job: StoredJob, ctx: ApiContext): Promise<StoredJobResult[]> {
  return Promise.resolve(
    job.items.map(({ changes }, index): StoredJobResult => {
      const externalId = text(changes.external_id);
      const email = text(changes.email);
      const existing =
        (externalId ? ctx.store.findUserByExternalId(externalId) : undefined) ??
        (email ? ctx.store.findUserByEmail(email) : undefined);
      const echo = externalId ? { external_id: externalId } : {};
      if (existing) {
        const name = text(changes.name)?.trim();
        const phone = changes.phone === undefined ? undefined : (text(changes.phone) ?? '');
        ctx.store.updateUser(existing.id, {
          ...(name ? { name } : {}),
          ...(phone !== undefined ? { phone } : {}),
        });
        return {
          id: existing.id,
          index,
          action: 'update',
          success: true,
          status: 'Updated',
          ...echo,
        };
      }
      const created = addValidUser(changes, ctx);
      if (created instanceof FieldErrorList) {
        const details = Object.values(created.details)
          .flat()
          .map((d) => d.description)
          .join('; ');
        return {
          index,
          action: 'create',
          success: false,
          status: 'Failed',
          error: 'UserCreateError',
          details,
          ...echo,
        };
      }
      return { id: created.id, index, action: 'create', success: true, status: 'Created', ...echo };
    }),
  );
}
