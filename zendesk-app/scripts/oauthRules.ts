// The manifest's `oauth` block: Zendesk's rule (client_id, client_secret, authorize_uri and
// access_token_uri present, after zendesk_apps_support validations/manifest.rb) and ours (a
// Zendesk OAuth client of the admin's own account, filled in at packaging, scope read).
import { isObject, type Json, type Problem } from './packageFiles';

export const OAUTH_REQUIRED_KEYS = [
  'client_id',
  'client_secret',
  'authorize_uri',
  'access_token_uri',
];
const ACCOUNT =
  /^https:\/\/([a-z0-9][a-z0-9-]{0,62})\.zendesk\.com\/oauth\/(authorizations\/new|tokens)$/;

/** Checks `m.oauth` against the manifest's oauth parameter; problems carry the key and the fix. */
export function checkOAuth(m: Json, add: (p: Omit<Problem, 'file'>) => void) {
  const error = (key: string, message: string) => add({ level: 'error', key, message });
  const params = Array.isArray(m.parameters) ? m.parameters : [];
  const hasOAuthParameter = params.some((p) => isObject(p) && p.type === 'oauth');
  if (m.oauth === undefined) {
    if (hasOAuthParameter) error('oauth', 'an oauth parameter needs the manifest oauth block');
    return;
  }
  if (!isObject(m.oauth)) return error('oauth', 'must be an object');
  const oauth = m.oauth;
  if (!hasOAuthParameter) error('oauth', 'needs a parameter of type oauth (the token)');
  for (const key of OAUTH_REQUIRED_KEYS) {
    const value = oauth[key];
    if (typeof value !== 'string' || value === '')
      error(`oauth.${key}`, 'required, a non-empty string');
    else if (value.includes('{{')) {
      error(
        `oauth.${key}`,
        'is not filled in: package with ZENDESK_SUBDOMAIN, ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET (docs/admins.md)',
      );
    }
  }
  const authorize = ACCOUNT.exec(String(oauth.authorize_uri ?? ''));
  const token = ACCOUNT.exec(String(oauth.access_token_uri ?? ''));
  if (!String(oauth.authorize_uri ?? '').includes('{{')) {
    if (authorize?.[2] !== 'authorizations/new')
      error(
        'oauth.authorize_uri',
        'must be https://<subdomain>.zendesk.com/oauth/authorizations/new',
      );
    if (token?.[2] !== 'tokens')
      error('oauth.access_token_uri', 'must be https://<subdomain>.zendesk.com/oauth/tokens');
    if (authorize && token && authorize[1] !== token[1])
      error('oauth.access_token_uri', 'must be on the same Zendesk account as authorize_uri');
  }
  if (oauth.scope !== 'read')
    error(
      'oauth.scope',
      'must be "read": the bridge only reads who the agent is and their tickets',
    );
}
