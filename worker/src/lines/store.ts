import type { EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import type { LineMedia } from '@sip-bridge/contract/line-media';
import type { CountryCode } from 'libphonenumber-js';
import {
  RoutingSchema,
  type ContextMapping,
  type Line,
  type LineCreate,
  type LinePatch,
  type Routing,
} from '../schemas/lines';
import {
  deleteWebhook,
  madeSecret,
  toWebhook,
  upsertWebhook,
  type WebhookRow,
} from '../webhooks/settings-store';
import { newWebhookSecret } from '../webhooks/signature';
import { RoutingRulesSchema, type RoutingRules } from '../schemas/routing-rules';
import { publicLineAuth } from './auth';

/** A line as the call path needs it. */
export interface LineConfig {
  id: number;
  slug: string;
  name: string;
  sipTargets: string[];
  defaultCountry: CountryCode;
  invalidTicket: 'drop' | 'reject';
  createTicket: boolean;
  callSummary: 'private_note' | 'voice_comment' | 'none';
  pricePerMinuteMicros: number;
  maxCps: number;
  /** Zendesk users plus tickets this line may create per minute (0: none). */
  maxCreationsPerMinute: number;
  /** A passed ticket whose requester is not the caller: keep the header (flagged) or drop it. */
  requesterMismatch: 'keep' | 'drop';
  /** Present callers to Zendesk as received, or with their E.164 number. */
  callerPresentation: 'as_received' | 'e164';
  enabled: boolean;
  /** The SIP address AI agents dial at the edge for this line, or null when not set. */
  edgeSipUri: string | null;
  /** Plain RTP, or TLS with SDES SRTP on both legs (docs/secure-media.md). */
  media: LineMedia;
  /** Context headers the line reads, and where each value goes on the ticket. */
  contextHeaders: ContextMapping[];
  /** Target order, timers and the concurrent-call limit the edge applies. */
  routing: Routing;
  /** Rules routing some calls to other targets (first that holds; none: sipTargets). */
  routingRules: RoutingRules;
}

interface LineRow {
  id: number;
  slug: string;
  name: string;
  sip_targets: string;
  default_country: string;
  invalid_ticket: 'drop' | 'reject';
  create_ticket: number;
  call_summary: 'private_note' | 'voice_comment' | 'none';
  price_per_minute_micros: number;
  max_cps: number;
  max_creations_per_minute: number;
  requester_mismatch: 'keep' | 'drop';
  caller_presentation: 'as_received' | 'e164';
  enabled: number;
  edge_sip_uri: string | null;
  context_headers: string;
  /** 'rtp' or 'secure' (migration 0015). */
  media: LineMedia;
  /** EdgeLineAuth as JSON (migration 0013). */
  auth: string;
  /** JSON (RoutingSchema); fields a row lacks take their defaults. */
  routing: string;
  /** JSON (RoutingRulesSchema, migration 0020). */
  routing_rules: string;
  created_at: string;
  updated_at: string;
}

interface AclRow {
  id: number;
  line_id: number;
  cidr: string;
  label: string;
  created_at: string;
}

export class LineConflictError extends Error {}

/**
 * D1 refused a secure line whose targets are not all TLS (the triggers of migration 0015), a
 * write the admin API's own check let through only if another write raced it.
 */
export class SecureMediaTargetsError extends Error {}

export const SECURE_MEDIA_TRIGGER = 'secure_media_needs_tls_targets';

/**
 * D1 refused a line without an IP allowlist whose credential another such line has, or that
 * names no line (the triggers of migration 0021): the admin API's own check let it through only
 * if another write raced it.
 */
export class CredentialConflictError extends Error {}

const CREDENTIAL_TRIGGER = /line_auth_without_ip_(conflict|needs_credential)/;

const nowIso = () => new Date().toISOString();

function toConfig(row: LineRow): LineConfig {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    sipTargets: JSON.parse(row.sip_targets) as string[],
    defaultCountry: row.default_country as CountryCode,
    invalidTicket: row.invalid_ticket,
    createTicket: row.create_ticket === 1,
    callSummary: row.call_summary,
    pricePerMinuteMicros: row.price_per_minute_micros,
    maxCps: row.max_cps,
    maxCreationsPerMinute: row.max_creations_per_minute,
    requesterMismatch: row.requester_mismatch,
    callerPresentation: row.caller_presentation,
    enabled: row.enabled === 1,
    edgeSipUri: row.edge_sip_uri,
    media: row.media,
    contextHeaders: JSON.parse(row.context_headers) as ContextMapping[],
    routing: RoutingSchema.parse(JSON.parse(row.routing ?? '{}')),
    routingRules: RoutingRulesSchema.parse(JSON.parse(row.routing_rules ?? '{}')),
  };
}

function toLine(row: LineRow, acl: AclRow[], webhook: WebhookRow | null): Line {
  const c = toConfig(row);
  return {
    slug: c.slug,
    name: c.name,
    sip_targets: c.sipTargets,
    default_country: c.defaultCountry,
    invalid_ticket: c.invalidTicket,
    create_ticket: c.createTicket,
    call_summary: c.callSummary,
    price_per_minute_micros: c.pricePerMinuteMicros,
    max_cps: c.maxCps,
    max_creations_per_minute: c.maxCreationsPerMinute,
    requester_mismatch: c.requesterMismatch,
    caller_presentation: c.callerPresentation,
    enabled: c.enabled,
    edge_sip_uri: c.edgeSipUri,
    context_headers: c.contextHeaders,
    media: c.media,
    webhook: webhook ? toWebhook(webhook) : null,
    routing: c.routing,
    acl: acl.map(({ id, cidr, label, created_at }) => ({ id, cidr, label, created_at })),
    auth: publicLineAuth(JSON.parse(row.auth) as EdgeLineAuth),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The line the edge named, or null. */
export async function findLineConfig(db: D1Database, slug: string): Promise<LineConfig | null> {
  const row = await db.prepare('SELECT * FROM lines WHERE slug = ?').bind(slug).first<LineRow>();
  return row ? toConfig(row) : null;
}

export async function listLines(db: D1Database): Promise<Line[]> {
  const [lines, acl, webhooks] = await db.batch<LineRow | AclRow | WebhookRow>([
    db.prepare('SELECT * FROM lines ORDER BY slug'),
    db.prepare('SELECT * FROM acl_entries ORDER BY line_id, id'),
    db.prepare('SELECT * FROM line_webhooks'),
  ]);
  const aclRows = (acl?.results ?? []) as AclRow[];
  const hooks = new Map(((webhooks?.results ?? []) as WebhookRow[]).map((w) => [w.line_id, w]));
  return ((lines?.results ?? []) as LineRow[]).map((row) =>
    toLine(
      row,
      aclRows.filter((a) => a.line_id === row.id),
      hooks.get(row.id) ?? null,
    ),
  );
}

export async function getLine(db: D1Database, slug: string): Promise<Line | null> {
  const row = await db.prepare('SELECT * FROM lines WHERE slug = ?').bind(slug).first<LineRow>();
  if (!row) return null;
  const [acl, webhook] = await db.batch<AclRow | WebhookRow>([
    db.prepare('SELECT * FROM acl_entries WHERE line_id = ? ORDER BY id').bind(row.id),
    db.prepare('SELECT * FROM line_webhooks WHERE line_id = ?').bind(row.id),
  ]);
  return toLine(
    row,
    (acl?.results ?? []) as AclRow[],
    ((webhook?.results ?? []) as WebhookRow[])[0] ?? null,
  );
}

/** Every line's stored caller auth (HA1s and token hash included), by slug: for the edge only. */
export async function storedLineAuths(db: D1Database): Promise<Map<string, EdgeLineAuth>> {
  const rows = await db
    .prepare('SELECT slug, auth FROM lines')
    .all<{ slug: string; auth: string }>();
  return new Map(rows.results.map((r) => [r.slug, JSON.parse(r.auth) as EdgeLineAuth]));
}

/** One line's stored caller auth, or null when there is no such line. */
export async function storedLineAuth(db: D1Database, slug: string): Promise<EdgeLineAuth | null> {
  const row = await db
    .prepare('SELECT auth FROM lines WHERE slug = ?')
    .bind(slug)
    .first<{ auth: string }>();
  return row ? (JSON.parse(row.auth) as EdgeLineAuth) : null;
}

/** A line just written, with the webhook signing secret when this write made it (shown once). */
export interface LineWritten {
  line: Line;
  webhookSecret?: string;
}

/**
 * Creates a line with its ACL and webhook in one transaction; a taken slug raises
 * LineConflictError. `auth` is the stored form of input.auth (resolveLineAuth).
 */
export async function createLine(
  db: D1Database,
  input: LineCreate,
  auth: EdgeLineAuth,
): Promise<LineWritten> {
  const candidate = newWebhookSecret();
  const now = nowIso();
  const cidrs = new Set<string>();
  for (const [i, entry] of input.acl.entries()) {
    if (cidrs.has(entry.cidr))
      throw new LineConflictError(`acl[${i}].cidr repeats an earlier entry of acl`);
    cidrs.add(entry.cidr);
  }
  let written: D1Result[];
  try {
    written = await db.batch([
      db
        .prepare(
          `INSERT INTO lines (slug, name, sip_targets, default_country, invalid_ticket, create_ticket,
             call_summary, price_per_minute_micros, max_cps, max_creations_per_minute,
             requester_mismatch, caller_presentation, enabled, edge_sip_uri, context_headers, auth,
             routing,
             created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          input.slug,
          input.name,
          JSON.stringify(input.sip_targets),
          input.default_country,
          input.invalid_ticket,
          input.create_ticket ? 1 : 0,
          input.call_summary,
          input.price_per_minute_micros,
          input.max_cps,
          input.max_creations_per_minute,
          input.requester_mismatch,
          input.caller_presentation,
          input.enabled ? 1 : 0,
          input.edge_sip_uri,
          JSON.stringify(input.context_headers),
          JSON.stringify(auth),
          JSON.stringify(input.routing),
          now,
          now,
        ),
      // media in its own statement (rtp is the column's default); D1's triggers check it there.
      ...(input.media === 'rtp'
        ? []
        : [db.prepare('UPDATE lines SET media = ? WHERE slug = ?').bind(input.media, input.slug)]),
      ...input.acl.map((entry) =>
        db
          .prepare(
            'INSERT INTO acl_entries (line_id, cidr, label, created_at) SELECT id, ?, ?, ? FROM lines WHERE slug = ?',
          )
          .bind(entry.cidr, entry.label, now, input.slug),
      ),
      ...(input.webhook ? [upsertWebhook(db, input.slug, input.webhook, candidate, now)] : []),
    ]);
  } catch (err) {
    if (String(err).includes('UNIQUE'))
      throw new LineConflictError('a line with this slug already exists');
    if (String(err).includes(SECURE_MEDIA_TRIGGER)) throw new SecureMediaTargetsError();
    if (CREDENTIAL_TRIGGER.test(String(err))) throw new CredentialConflictError();
    throw err;
  }
  const secret = input.webhook
    ? madeSecret(written.at(-1) as D1Result<{ secret: string }>, candidate)
    : undefined;
  return { line: (await getLine(db, input.slug))!, ...(secret ? { webhookSecret: secret } : {}) };
}

type PatchColumn = Exclude<keyof LinePatch, 'webhook' | 'auth'>;

const PATCH_COLUMNS: Record<PatchColumn, (v: never) => unknown> = {
  name: (v: string) => v,
  sip_targets: (v: string[]) => JSON.stringify(v),
  default_country: (v: string) => v,
  invalid_ticket: (v: string) => v,
  create_ticket: (v: boolean) => (v ? 1 : 0),
  call_summary: (v: string) => v,
  price_per_minute_micros: (v: number) => v,
  max_cps: (v: number) => v,
  max_creations_per_minute: (v: number) => v,
  requester_mismatch: (v: string) => v,
  caller_presentation: (v: string) => v,
  enabled: (v: boolean) => (v ? 1 : 0),
  edge_sip_uri: (v: string | null) => v,
  media: (v: LineMedia) => v,
  context_headers: (v: ContextMapping[]) => JSON.stringify(v),
  routing: (v: Partial<Routing>) => JSON.stringify(v),
};

/** `routing` merges (the fields given replace the stored ones); every other column is replaced. */
const patchSet = (k: PatchColumn) =>
  k === 'routing' ? 'routing = json_patch(routing, ?)' : `${k} = ?`;

/**
 * Changes the fields given, the webhook included, in one transaction. A webhook set on a line
 * that had none gets a new signing secret, answered here only. `auth` is the stored form of
 * patch.auth, if any.
 */
export async function patchLine(
  db: D1Database,
  slug: string,
  patch: LinePatch,
  auth?: EdgeLineAuth,
): Promise<LineWritten | null> {
  const { webhook, ...fields } = patch;
  const keys = (Object.keys(fields) as (keyof typeof fields)[]).filter(
    (k): k is PatchColumn => k !== 'auth' && fields[k] !== undefined,
  );
  const now = nowIso();
  const candidate = newWebhookSecret();
  const statements: D1PreparedStatement[] = [];
  if (keys.length || auth || webhook !== undefined) {
    const sets = [...keys.map((k) => `${patchSet(k)}, `), ...(auth ? ['auth = ?, '] : [])].join('');
    const values = [
      ...keys.map((k) => PATCH_COLUMNS[k](fields[k] as never)),
      ...(auth ? [JSON.stringify(auth)] : []),
    ];
    statements.push(
      db
        .prepare(`UPDATE lines SET ${sets}updated_at = ? WHERE slug = ?`)
        .bind(...values, now, slug),
    );
  }
  if (webhook === null) statements.push(deleteWebhook(db, slug));
  if (webhook) statements.push(upsertWebhook(db, slug, webhook, candidate, now));
  let results: D1Result[];
  try {
    results = statements.length ? await db.batch(statements) : [];
  } catch (err) {
    if (String(err).includes(SECURE_MEDIA_TRIGGER)) throw new SecureMediaTargetsError();
    if (CREDENTIAL_TRIGGER.test(String(err))) throw new CredentialConflictError();
    throw err;
  }
  const line = await getLine(db, slug);
  if (!line) return null;
  const secret = webhook
    ? madeSecret(results.at(-1) as D1Result<{ secret: string }>, candidate)
    : undefined;
  return { line, ...(secret ? { webhookSecret: secret } : {}) };
}

export async function deleteLine(db: D1Database, slug: string): Promise<boolean> {
  // RETURNING, because meta.changes also counts the ACL rows the cascade removed.
  return (
    (await db.prepare('DELETE FROM lines WHERE slug = ? RETURNING id').bind(slug).first()) !== null
  );
}

/** Adds an ACL entry; returns null when the line does not exist. */
export async function addAclEntry(
  db: D1Database,
  slug: string,
  entry: { cidr: string; label: string },
): Promise<Line | null> {
  const now = nowIso();
  try {
    const res = await db.batch([
      db
        .prepare(
          'INSERT INTO acl_entries (line_id, cidr, label, created_at) SELECT id, ?, ?, ? FROM lines WHERE slug = ?',
        )
        .bind(entry.cidr, entry.label, now, slug),
      db.prepare('UPDATE lines SET updated_at = ? WHERE slug = ?').bind(now, slug),
    ]);
    if (res[0]?.meta.changes !== 1) return null;
  } catch (err) {
    if (String(err).includes('UNIQUE'))
      throw new LineConflictError('this network is already on the line');
    throw err;
  }
  return getLine(db, slug);
}

export async function removeAclEntry(db: D1Database, slug: string, id: number): Promise<boolean> {
  const res = await db.batch([
    db
      .prepare(
        'DELETE FROM acl_entries WHERE id = ? AND line_id = (SELECT id FROM lines WHERE slug = ?)',
      )
      .bind(id, slug),
    db.prepare('UPDATE lines SET updated_at = ? WHERE slug = ?').bind(nowIso(), slug),
  ]);
  return res[0]?.meta.changes === 1;
}
