/**
 * The audience the sidebar app puts in the JWT that Zendesk's proxy signs for it, and the one the
 * Worker requires (worker/src/auth/app-jwt.ts).
 */
export const APP_JWT_AUDIENCE = 'sip-bridge-api';
