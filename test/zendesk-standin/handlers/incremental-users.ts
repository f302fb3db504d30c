// Incremental User Export, cursor based: every user changed since a start time, oldest change
// first, one page per request, resumable from the cursor each page answers.
import { json } from 'itty-router';
import { forbidden, rateLimited } from '../responses';
import { identityJson, userJson } from '../serialize';
import type { StoredUser } from '../store';
import type { ApiContext, ApiRequest, ApiRouter } from './context';

/** Zendesk's default page (and the most `per_page` may ask for). */
export const EXPORT_MAX_PER_PAGE = 1000;
/** Items created or changed within the minute before the request are left out. */
export const EXPORT_EXCLUDED_RECENT_MS = 60_000;
/** "You can make up to 10 requests per minute to these endpoints." */
export const EXPORT_REQUESTS_PER_MINUTE = 10;
const MINUTE_MS = 60_000;

/**
 * The incremental endpoints' own limit, counted per account over the last minute. A refused
 * request is not counted; its Retry-After says when the oldest counted request leaves the window.
 */
export class ExportRateLimit {
  private hits: number[] = [];

  /** Counts a request at `now`, or answers the seconds to wait when the minute is full. */
  take(now: number): { ok: true } | { ok: false; retryAfter: number } {
    this.hits = this.hits.filter((at) => at > now - MINUTE_MS);
    if (this.hits.length >= EXPORT_REQUESTS_PER_MINUTE) {
      const oldest = this.hits[0] ?? now;
      return { ok: false, retryAfter: Math.max(1, Math.ceil((oldest + MINUTE_MS - now) / 1000)) };
    }
    this.hits.push(now);
    return { ok: true };
  }

  clear(): void {
    this.hits = [];
  }
}

export function registerIncrementalUserRoutes(router: ApiRouter): void {
  router.get('/api/v2/incremental/users/cursor', exportUsers);
}

/** Where a page starts: after the user changed at `second` with id `id`. */
interface Position {
  second: number;
  id: number;
}

/**
 * Cursors are opaque to clients. UNCONFIRMED format: Zendesk's documented sample cursor
 * `MTU3NjYxMzUzOS4wfHw0Njd8` is base64 of `1576613539.0||467|` (a time and an id), so the
 * stand-in encodes its position the same way.
 */
function encodeCursor(p: Position): string {
  return btoa(`${p.second}.0||${p.id}|`);
}

function decodeCursor(cursor: string): Position | null {
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    return null;
  }
  const match = /^(\d{1,12})\.0\|\|(\d{1,15})\|$/.exec(text);
  return match ? { second: Number(match[1]), id: Number(match[2]) } : null;
}

const secondOf = (user: StoredUser) => Math.floor(user.updatedAt / 1000);

const isAfter = (user: StoredUser, p: Position) =>
  secondOf(user) > p.second || (secondOf(user) === p.second && user.id > p.id);

/** UNCONFIRMED bodies for the export's parameter errors (400 with Zendesk's usual envelope). */
function invalid(description: string): Response {
  return json({ error: 'InvalidValue', description }, { status: 400 });
}

function exportUsers(_req: ApiRequest, ctx: ApiContext): Response {
  // "Allowed For: Admins" (OAS IncrementalUserExportCursor). UNCONFIRMED: the 403 body.
  if (ctx.actor.role !== 'admin') return forbidden();
  const now = ctx.options.now();
  const limit = ctx.exportRateLimit.take(now);
  if (!limit.ok) return rateLimited(limit.retryAfter);

  const params = ctx.searchParams;
  const cursor = params.get('cursor');
  const startTime = params.get('start_time');
  let from: Position;
  if (cursor !== null) {
    const decoded = decodeCursor(cursor);
    if (!decoded) return invalid('Invalid cursor');
    from = decoded;
  } else if (startTime !== null && /^\d{1,12}$/.test(startTime)) {
    const second = Number(startTime);
    // The start must be at least a minute in the past (data of the last minute is not given).
    if (second * 1000 > now - EXPORT_EXCLUDED_RECENT_MS) {
      return invalid('Too recent start_time. Use a start_time older than 1 minute');
    }
    // Users changed at or after start_time: every id is above 0.
    from = { second, id: 0 };
  } else {
    return invalid('start_time or cursor is required');
  }
  const rawPerPage = Number(params.get('per_page') ?? EXPORT_MAX_PER_PAGE);
  // UNCONFIRMED: a per_page above 1000 is cut to 1000 rather than refused.
  const perPage =
    Number.isInteger(rawPerPage) && rawPerPage > 0
      ? Math.min(rawPerPage, EXPORT_MAX_PER_PAGE)
      : EXPORT_MAX_PER_PAGE;

  const visibleBefore = now - EXPORT_EXCLUDED_RECENT_MS;
  const pending = [...ctx.store.users.values()]
    .filter((u) => u.updatedAt <= visibleBefore && isAfter(u, from))
    .sort((a, b) => secondOf(a) - secondOf(b) || a.id - b.id);
  const page = pending.slice(0, perPage);
  const last = page.at(-1);
  const after = last ? { second: secondOf(last), id: last.id } : from;
  const afterCursor = encodeCursor(after);
  const includes = (params.get('include') ?? '').split(',').map((s) => s.trim());
  return json({
    users: page.map((u) => userJson(u, ctx.origin)),
    ...(includes.includes('identities')
      ? {
          identities: page.flatMap((u) =>
            ctx.store.identitiesOf(u.id).map((i) => identityJson(i, ctx.origin)),
          ),
        }
      : {}),
    after_cursor: afterCursor,
    after_url: `${ctx.origin}/api/v2/incremental/users/cursor.json?cursor=${encodeURIComponent(afterCursor)}`,
    // UNCONFIRMED: backward paging is not modelled; Zendesk's sample has both null too.
    before_cursor: null,
    before_url: null,
    end_of_stream: pending.length <= perPage,
  });
}
