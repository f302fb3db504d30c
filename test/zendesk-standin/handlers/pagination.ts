// Offset pagination as Zendesk's list endpoints answer it: `page` (from 1) and `per_page` (at most
// 100), with `next_page` / `previous_page` URLs in the answer.
import type { ApiContext } from './context';

/** Offset pagination stops after the first 10,000 records (400 past them, since 2023-08-15). */
export const LIST_RESULT_LIMIT = 10_000;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

/** `page` and `per_page` as given; null when `page` is not a whole number from 1. */
export function readOffsetPage(params: URLSearchParams): PageRequest | null {
  const rawPage = params.get('page') ?? '1';
  const page = /^\d{1,6}$/.test(rawPage) ? Number(rawPage) : 0;
  if (page < 1) return null;
  const rawPerPage = Number(params.get('per_page') ?? MAX_PER_PAGE);
  const perPage = Number.isInteger(rawPerPage) && rawPerPage > 0 ? rawPerPage : MAX_PER_PAGE;
  return { page, perPage: Math.min(perPage, MAX_PER_PAGE) };
}

/** `next_page` / `previous_page` URLs in Zendesk's style (`.json` path, same query). */
export function pageLinks(ctx: ApiContext, path: string, req: PageRequest, reachable: number) {
  const link = (page: number) => {
    const params = new URLSearchParams(ctx.searchParams);
    params.set('page', String(page));
    params.set('per_page', String(req.perPage));
    return `${ctx.origin}${path}.json?${params}`;
  };
  return {
    next_page: req.page * req.perPage < reachable ? link(req.page + 1) : null,
    previous_page: req.page > 1 ? link(req.page - 1) : null,
  };
}
