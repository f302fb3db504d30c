/** `https://<subdomain>.zendesk.com`, optionally with a trailing slash: nothing else is Zendesk. */
const ZENDESK_ORIGIN = /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.zendesk\.com\/?$/;
/** The stand-in on this host, for local runs only (npm start, tests, benchmarks). */
const LOOPBACK_ORIGIN =
  /^https?:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(?::\d{1,5})?\/?$/;

/**
 * Why ZENDESK_BASE_URL cannot be used, or null when it can. The API token goes to this origin in
 * every request, so it must be a Zendesk account over https; `allowLocal` (ZENDESK_ALLOW_LOCAL=1,
 * set only by local runs) also admits a loopback stand-in.
 * @example zendeskBaseUrlProblem('https://acme.zendesk.com', false) // null
 */
export function zendeskBaseUrlProblem(
  baseUrl: string | undefined,
  allowLocal: boolean,
): string | null {
  const url = (baseUrl ?? '').toLowerCase();
  if (ZENDESK_ORIGIN.test(url)) return null;
  if (allowLocal && LOOPBACK_ORIGIN.test(url)) return null;
  return allowLocal
    ? 'ZENDESK_BASE_URL must be https://<subdomain>.zendesk.com or a loopback stand-in'
    : 'ZENDESK_BASE_URL must be https://<subdomain>.zendesk.com (a loopback stand-in needs ZENDESK_ALLOW_LOCAL=1, for local runs only)';
}
