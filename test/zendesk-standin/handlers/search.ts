// Unified search (users by role and phone) and Search Users, both with offset pagination only.
import { json } from 'itty-router';
import { userJson } from '../serialize';
import type { StoredUser } from '../store';
import type { ApiContext, ApiRequest, ApiRouter } from './context';
import { LIST_RESULT_LIMIT, pageLinks, readOffsetPage, type PageRequest } from './pagination';

/** Unified search returns at most 1,000 results per query. */
const SEARCH_RESULT_LIMIT = 1000;

// Body from a support.zendesk.com thread: cursor parameters on search are refused.
const PAGE_ATTRIBUTE_ERROR = {
  error: {
    title: 'Invalid attribute',
    message:
      'You passed an invalid value for the page attribute. Invalid parameter: page must be an integer from api/v2/search/index',
  },
};

export function registerSearchRoutes(router: ApiRouter): void {
  router.get('/api/v2/search', unifiedSearch).get('/api/v2/users/search', searchUsers);
}

/**
 * Does a `phone:` term match a stored phone? Zendesk wants digits only, so any other character
 * (a `+`, spaces, dashes) matches nothing. A leading `*` matches stored numbers whose digits end
 * with the given digits, which is how `*5135557611` finds `+1 513.555.7611` and `(513) 555-7611`.
 */
export function phoneTermMatches(term: string, storedPhone: string | null): boolean {
  const wildcard = term.startsWith('*');
  const digits = wildcard ? term.slice(1) : term;
  if (!/^\d+$/.test(digits) || storedPhone === null) return false;
  const stored = storedPhone.replace(/\D/g, '');
  if (stored === '') return false;
  return wildcard ? stored.endsWith(digits) : stored === digits;
}

type UserFilter = (user: StoredUser) => boolean;

/**
 * Reads `type:user`, `role:<role>` and `phone:<digits>` terms. Any other term (free text, other
 * fields) is not modelled, so the query matches nothing rather than matching too much.
 */
function parseUserQuery(query: string): UserFilter[] | null {
  const filters: UserFilter[] = [];
  for (const term of query.trim().split(/\s+/)) {
    const match = /^([a-z_]+):(.*)$/i.exec(term);
    if (!match) return null;
    const key = match[1]?.toLowerCase();
    const value = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
    if (key === 'type') {
      if (value.toLowerCase() !== 'user') return null;
    } else if (key === 'role') {
      filters.push((user) => user.role === value.toLowerCase());
    } else if (key === 'phone') {
      filters.push((user) => phoneTermMatches(value, user.phone));
    } else {
      return null;
    }
  }
  return filters;
}

/** Offset pagination only: cursor `page[...]` (and a `page` that is no number from 1) is a 400. */
function readPage(params: URLSearchParams): PageRequest | Response {
  for (const key of params.keys()) {
    if (key.startsWith('page[')) return json(PAGE_ATTRIBUTE_ERROR, { status: 400 });
  }
  return readOffsetPage(params) ?? json(PAGE_ATTRIBUTE_ERROR, { status: 400 });
}

function missingQuery(): Response {
  // UNCONFIRMED body: what Zendesk answers when the query parameter is absent.
  return json(
    { error: 'InvalidQuery', description: 'The query parameter is required' },
    { status: 400 },
  );
}

/** Users the search index knows about: created long enough ago (see searchIndexDelayMs). */
function indexedUsers(ctx: ApiContext): StoredUser[] {
  const now = ctx.options.now();
  return [...ctx.store.users.values()].filter((u) => u.active && u.searchableAt <= now);
}

function unifiedSearch(_req: ApiRequest, ctx: ApiContext): Response {
  const page = readPage(ctx.searchParams);
  if (page instanceof Response) return page;
  const query = ctx.searchParams.get('query');
  if (query === null || query.trim() === '') return missingQuery();
  if ((page.page - 1) * page.perPage >= SEARCH_RESULT_LIMIT) {
    // UNCONFIRMED body; the 422 itself is documented (page 11 at 100 per page).
    const description =
      'Invalid search: Requested response size was greater than Search Response Limits';
    return json({ error: 'invalid', description }, { status: 422 });
  }
  const filters = parseUserQuery(query);
  const matches = filters
    ? indexedUsers(ctx).filter((user) => filters.every((keep) => keep(user)))
    : [];
  const start = (page.page - 1) * page.perPage;
  const results = matches
    .slice(start, start + page.perPage)
    .map((user) => ({ ...userJson(user, ctx.origin), result_type: 'user' }));
  return json({
    results,
    // `count` is the true total, even past the 1,000 results a query can page through.
    count: matches.length,
    ...pageLinks(ctx, '/api/v2/search', page, Math.min(matches.length, SEARCH_RESULT_LIMIT)),
    facets: null,
  });
}

function searchUsers(_req: ApiRequest, ctx: ApiContext): Response {
  const page = readPage(ctx.searchParams);
  if (page instanceof Response) return page;
  const query = ctx.searchParams.get('query')?.trim().toLowerCase();
  const externalId = ctx.searchParams.get('external_id');
  if (!query && externalId === null) return missingQuery();
  if ((page.page - 1) * page.perPage >= LIST_RESULT_LIMIT) {
    // UNCONFIRMED body; the 400 past 10,000 offset records is documented.
    const description = 'Offset pagination is limited to the first 10000 records';
    return json({ error: 'InvalidPaginationParameter', description }, { status: 400 });
  }
  const matches = indexedUsers(ctx).filter((user) =>
    externalId !== null
      ? user.external_id === externalId
      : [user.name, user.email, user.phone].some((v) => v?.toLowerCase().includes(query ?? '')),
  );
  const start = (page.page - 1) * page.perPage;
  const users = matches.slice(start, start + page.perPage).map((u) => userJson(u, ctx.origin));
  return json({
    users,
    ...pageLinks(ctx, '/api/v2/users/search', page, Math.min(matches.length, LIST_RESULT_LIMIT)),
    count: matches.length,
  });
}
