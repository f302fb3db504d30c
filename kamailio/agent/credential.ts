import { createHash } from 'node:crypto';

/** The user name Kamailio presents to the agent over HTTP Basic. */
export const KAMAILIO_USER = 'kamailio';

/**
 * The password Kamailio presents to the agent over HTTP Basic: derived from EDGE_AGENT_TOKEN, so
 * one secret serves both, and hex, so it sits in the httpcon URL whatever characters the token has.
 * Kamailio 5.6 reuses connections only for named connections (httpcon), which cannot carry an
 * Authorization header of our own: Basic is what they can send.
 * @example agentBasicPassword('tok-0123456789abcdef') // '3c1e…' (64 hex digits)
 */
export function agentBasicPassword(token: string): string {
  return createHash('sha256').update(`sipbridge-agent:${token}`).digest('hex');
}
