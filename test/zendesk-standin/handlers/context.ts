// What every /api/v2 handler receives: the routed request and the stand-in's state.
import type { RouterType } from 'itty-router';
import type { ResolvedOptions } from '../options';
import type { StandinStore, StoredUser } from '../store';
import type { ExportRateLimit } from './incremental-users';

/** The request as routed: the URL has its `.json` suffix removed so one route serves both forms. */
export interface ApiRequest {
  method: string;
  url: string;
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
}

export interface ApiContext {
  store: StandinStore;
  options: ResolvedOptions;
  /** The authenticated API user: submitter and author of what the bridge writes. */
  actor: StoredUser;
  /** Scheme and host the request came to, for `url` fields and `Location`. */
  origin: string;
  /** Parsed JSON body, or undefined when there was none (or it was not sent as JSON). */
  body: unknown;
  /** Search pagination needs the original query string, `page[size]` included. */
  searchParams: URLSearchParams;
  /** The incremental exports' own 10 requests a minute, per account. */
  exportRateLimit: ExportRateLimit;
}

export type ApiRouter = RouterType<ApiRequest, [ApiContext]>;

/** Zendesk ids are positive integers; anything else cannot name a record, so it is a 404. */
export function parseId(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return null;
  const id = Number(raw);
  return id > 0 ? id : null;
}
