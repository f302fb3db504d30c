/** Bindings, variables and secrets the Worker reads (see wrangler.jsonc). */
export interface Env {
  DB: D1Database;
  /** Base URL of the Zendesk account, e.g. https://acme.zendesk.com. */
  ZENDESK_BASE_URL: string;
  /**
   * "1" in local runs only (npm start, tests): ZENDESK_BASE_URL may be a loopback stand-in, and
   * a line's webhook a loopback receiver (plain http included).
   */
  ZENDESK_ALLOW_LOCAL?: string;
  ZENDESK_EMAIL: string;
  /** Secret: Zendesk API token for ZENDESK_EMAIL. */
  ZENDESK_API_TOKEN: string;
  /** Secret: HMAC key shared with the edge agent. */
  EDGE_SECRET: string;
  /** Secret: HS256 key the Zendesk app proxy signs JWTs with (the app's secure setting). */
  APP_JWT_SECRET: string;
  /** Secret: bearer token for the administration endpoints. */
  ADMIN_TOKEN: string;
  /**
   * Optional secret, set only while rotating EDGE_SECRET: the value being replaced. Edge requests
   * signed with it are accepted too, with the same minimum length (16 characters); unset or empty
   * is ignored. Delete it once the edge agent signs with the new EDGE_SECRET.
   */
  EDGE_SECRET_PREVIOUS?: string;
  /**
   * Optional secret, set only while rotating APP_JWT_SECRET: the value being replaced. App JWTs
   * signed with it are accepted too, with the same minimum length (32 bytes); unset or empty is
   * ignored. Delete it once the Zendesk app's shared secret is the new APP_JWT_SECRET.
   */
  APP_JWT_SECRET_PREVIOUS?: string;
  /**
   * Optional secret, set only while rotating ADMIN_TOKEN: the value being replaced, accepted too,
   * with the same minimum length (16 characters); unset or empty is ignored. Delete it once every
   * script uses the new ADMIN_TOKEN.
   */
  ADMIN_TOKEN_PREVIOUS?: string;
  /**
   * Optional: ISO country code national-format phones in Zendesk are read in for the phone index
   * (e.g. "GB"); unset, the default country most lines have, else US. A change re-exports.
   */
  PHONE_INDEX_COUNTRY?: string;
  /**
   * Optional: the Zendesk account's IANA time zone (e.g. "America/New_York"), in which usage
   * reports count days and hours when a request names none; unset or unknown, UTC.
   */
  ACCOUNT_TIME_ZONE?: string;
  /** Optional tuning, as strings because they come from vars. */
  ZENDESK_REQUESTS_PER_MINUTE?: string;
  DECISION_BUDGET_MS?: string;
  /** Milliseconds before the first poll of a note job (then twice, four times as long); 1000. */
  NOTE_POLL_DELAY_MS?: string;
  /** Milliseconds a call's note waits for others to share its Update Many job: 0-10000, 5000. */
  NOTE_LINGER_MS?: string;
  /**
   * Milliseconds POST /v1/handoffs may spend on Zendesk before answering 504: a whole number from
   * 1000 to 10000, 4000 when unset. Anything else is logged and the default used (config.ts).
   */
  HANDOFF_BUDGET_MS?: string;
  /**
   * Days call records (with their events) are kept after the Worker last wrote them: a whole
   * number from 1 to 3650, 90 when unset. Anything else skips the purge and logs why.
   */
  RETENTION_DAYS?: string;
}
