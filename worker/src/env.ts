/** Bindings, variables and secrets the Worker reads (see wrangler.jsonc). */
export interface Env {
  DB: D1Database;
  /** Base URL of the Zendesk account, e.g. https://acme.zendesk.com. */
  ZENDESK_BASE_URL: string;
  /** "1" in local runs only (npm start, tests): ZENDESK_BASE_URL may be a loopback stand-in. */
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
  /** Optional tuning, as strings because they come from vars. */
  ZENDESK_REQUESTS_PER_MINUTE?: string;
  DECISION_BUDGET_MS?: string;
}
