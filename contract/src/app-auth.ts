// How the sidebar app's requests authenticate to the Worker (docs/worker.md): a JWT that Zendesk's
// proxy signs, and the agent's own Zendesk OAuth token that the proxy fills in.

/** The audience the app puts in the JWT that Zendesk's proxy signs for it; the Worker requires it. */
export const APP_JWT_AUDIENCE = 'sip-bridge-api';

/** The header Zendesk's proxy fills with `Bearer {{setting.token}}` (the agent's access token). */
export const AGENT_TOKEN_HEADER = 'X-Zendesk-Agent-Token';
