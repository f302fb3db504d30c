// Per-line API keys for AI vendors: `sbk_<id>_<secret>`, of which only a SHA-256 of the secret is
// stored. The secret is 256 random bits, so a plain hash is enough (nothing to brute-force).
import { timingSafeEqual } from 'hono/utils/buffer';
import type { ApiKey, ApiKeyCreate } from '../schemas/api-keys';

const KEY_PREFIX = 'sbk';
/** `sbk_` + 16 hex (the id, public) + `_` + 43 base64url characters (32 bytes, the secret). */
const KEY_PATTERN = /^sbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

interface ApiKeyRow {
  id: string;
  line_id: number;
  line_slug: string;
  label: string;
  secret_sha256: string;
  handoffs_per_minute: number;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A key that authenticated: which line it is for and how often it may hand off. */
export interface ApiKeyIdentity {
  id: string;
  label: string;
  lineSlug: string;
  handoffsPerMinute: number;
}

const SELECT_KEYS = `SELECT k.*, l.slug AS line_slug FROM api_keys k JOIN lines l ON l.id = k.line_id`;

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    line: row.line_slug,
    label: row.label,
    handoffs_per_minute: row.handoffs_per_minute,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
    last_used_at: row.last_used_at,
  };
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Whether a bearer value has the shape of one of our keys (says nothing of its validity). */
export function looksLikeApiKey(token: string): boolean {
  return KEY_PATTERN.test(token);
}

/**
 * Creates a key for a line; the secret is in the answer only. Null when the line does not exist.
 * @example const created = await createApiKey(db, 'ai-agent', { label: 'Acme', handoffs_per_minute: 60 });
 */
export async function createApiKey(
  db: D1Database,
  slug: string,
  input: ApiKeyCreate,
): Promise<{ key: ApiKey; secret: string } | null> {
  const id = hex(crypto.getRandomValues(new Uint8Array(8)));
  const secret = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const inserted = await db
    .prepare(
      `INSERT INTO api_keys (id, line_id, label, secret_sha256, handoffs_per_minute, created_at)
       SELECT ?, id, ?, ?, ?, ? FROM lines WHERE slug = ?`,
    )
    .bind(id, input.label, await sha256Hex(secret), input.handoffs_per_minute, nowIso(), slug)
    .run();
  if (inserted.meta.changes !== 1) return null;
  const row = await db.prepare(`${SELECT_KEYS} WHERE k.id = ?`).bind(id).first<ApiKeyRow>();
  return { key: toApiKey(row!), secret: `${KEY_PREFIX}_${id}_${secret}` };
}

/** The line's keys, newest first, revoked ones included; null when the line does not exist. */
export async function listApiKeys(db: D1Database, slug: string): Promise<ApiKey[] | null> {
  const [line, keys] = await db.batch<{ id: number } | ApiKeyRow>([
    db.prepare('SELECT id FROM lines WHERE slug = ?').bind(slug),
    db.prepare(`${SELECT_KEYS} WHERE l.slug = ? ORDER BY k.created_at DESC, k.id`).bind(slug),
  ]);
  if (!line?.results.length) return null;
  return (keys?.results as ApiKeyRow[]).map(toApiKey);
}

/**
 * Revokes a key of the line (from now on it gets 401); revoking it again keeps the first time.
 * Null when the line has no such key.
 */
export async function revokeApiKey(
  db: D1Database,
  slug: string,
  id: string,
): Promise<ApiKey | null> {
  await db
    .prepare(
      `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL
         AND line_id = (SELECT id FROM lines WHERE slug = ?)`,
    )
    .bind(nowIso(), id, slug)
    .run();
  const row = await db
    .prepare(`${SELECT_KEYS} WHERE k.id = ? AND l.slug = ?`)
    .bind(id, slug)
    .first<ApiKeyRow>();
  return row ? toApiKey(row) : null;
}

/**
 * The unrevoked key a bearer value is, or null: unknown id, wrong secret and revoked keys all look
 * the same to the caller. The secret's hash is compared in constant time.
 */
export async function authenticateApiKey(
  db: D1Database,
  token: string,
): Promise<ApiKeyIdentity | null> {
  const match = KEY_PATTERN.exec(token);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const row = await db.prepare(`${SELECT_KEYS} WHERE k.id = ?`).bind(id).first<ApiKeyRow>();
  const given = await sha256Hex(secret);
  if (!row || !(await timingSafeEqual(given, row.secret_sha256)) || row.revoked_at !== null) {
    return null;
  }
  return {
    id: row.id,
    label: row.label,
    lineSlug: row.line_slug,
    handoffsPerMinute: row.handoffs_per_minute,
  };
}

const nowIso = () => new Date().toISOString();
