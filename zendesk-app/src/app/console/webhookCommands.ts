// The admin-token commands the console shows for what it may not do itself: create a line's
// webhook (which makes its signing secret) and rotate the secret. They name the token as a shell
// variable, never its value, and the secret is answered to that terminal only.

/** Single-quoted for a POSIX shell. */
const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

const base = (apiUrl: string) => apiUrl.replace(/\/+$/, '');
const line = (apiUrl: string, slug: string) =>
  `${base(apiUrl)}/v1/admin/lines/${encodeURIComponent(slug)}`;
const TOKEN = '-H "Authorization: Bearer $ADMIN_TOKEN"';

/** `curl` creating the webhook (its secret is in that answer, once). */
export function createWebhookCommand(apiUrl: string, slug: string, url: string): string {
  const body = JSON.stringify({ webhook: { url: url.trim() || 'https://hooks.example.com/in' } });
  return [
    `curl -sS -X PATCH ${quoted(line(apiUrl, slug))} \\`,
    `  ${TOKEN} -H 'Content-Type: application/json' \\`,
    `  -d ${quoted(body)}`,
  ].join('\n');
}

/** `curl` rotating the secret (the new one is in that answer, once; the old signs 24 h more). */
export function rotateSecretCommand(apiUrl: string, slug: string): string {
  return `curl -sS -X POST ${quoted(`${line(apiUrl, slug)}/webhook/rotate-secret`)} \\\n  ${TOKEN}`;
}
