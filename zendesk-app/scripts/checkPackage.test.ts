// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { checkPackage, formatProblem } from './checkPackage';
import { drawLogo } from './logos';
import { collectSources, readOAuthClient, withApiHosts, withOAuthClient } from './package';
import { pngSize } from './png';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

const MANIFEST = {
  name: 'SIP call details',
  author: { name: 'A', email: 'a@example.com', url: 'https://example.com' },
  defaultLocale: 'en',
  private: true,
  location: { support: { ticket_sidebar: { url: 'assets/iframe.html', flexible: true } } },
  version: '1.0.0',
  frameworkVersion: '2.0',
  parameters: [
    { name: 'api_url', type: 'url', required: true },
    { name: 'shared_secret', type: 'password', required: true, secure: true, scopes: ['header'] },
  ],
  domainWhitelist: ['bridge.example.com'],
};
const EN = {
  app: {
    name: 'X',
    parameters: { api_url: { label: 'API URL' }, shared_secret: { label: 'Secret' } },
  },
  ui: { title: 'Calls', retry: 'Retry' },
};
const FR = {
  app: {
    name: 'X',
    parameters: { api_url: { label: "URL de l'API" }, shared_secret: { label: 'Secret' } },
  },
  ui: { title: 'Appels', retry: 'Réessayer' },
};

function pkg(overrides: Record<string, unknown | undefined> = {}) {
  const files: Record<string, unknown> = {
    'manifest.json': MANIFEST,
    'translations/en.json': EN,
    'translations/fr.json': FR,
    'assets/iframe.html': '<!doctype html>',
    'assets/logo.png': drawLogo(320),
    'assets/logo-small.png': drawLogo(128),
    ...overrides,
  };
  return new Map(
    Object.entries(files)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Uint8Array ? v : enc(v)]),
  );
}

/** The real manifest and translations, with stand-ins for the built assets. */
const CLIENT = { subdomain: 'acme', clientId: 'sip_call_details', clientSecret: 'c'.repeat(64) };

function realPackage() {
  const files = collectSources();
  files.set('manifest.json', withOAuthClient(files.get('manifest.json')!, CLIENT));
  files.set('assets/iframe.html', enc('<!doctype html>'));
  files.set('assets/console.html', enc('<!doctype html>'));
  files.set('assets/logo.png', drawLogo(320));
  files.set('assets/logo-small.png', drawLogo(128));
  return files;
}

const errors = (files: Map<string, Uint8Array>) =>
  checkPackage(files)
    .filter((p) => p.level === 'error')
    .map((p) => ({ file: p.file, key: p.key }));

describe('checkPackage', () => {
  it('passes a complete package', () => {
    expect(checkPackage(pkg())).toEqual([]);
  });

  it('passes the real package with one warning: the secure parameter has no scopes', () => {
    const problems = checkPackage(realPackage());
    expect(problems.map(formatProblem)).toEqual([
      'warning manifest.json  parameters.shared_secret.scopes: secure parameter without scopes (Zendesk warns; see docs/admins.md)',
    ]);
  });

  it('passes built assets whose page and chunks name each other by relative URL', () => {
    const files = pkg({
      'assets/iframe.html':
        '<script type="module" crossorigin src="./iframe-a1.js"></script><link rel="stylesheet" href="./iframe-a1.css">',
      'assets/iframe-a1.js':
        'import{x}from"./shared-b2.js";const m=()=>import(`./Transcript-c3.js`),d=["./shared-b2.js"];fetch("https://bridge.example.com/x.js");',
      'assets/iframe-a1.css': 'main{padding:0}',
      'assets/shared-b2.js': 'export const x=1;',
      'assets/Transcript-c3.js': 'import{x}from"./shared-b2.js";export default x;',
    });
    expect(checkPackage(files)).toEqual([]);
  });

  it('reports a chunk the package lacks, and an absolute URL, with the file that names it', () => {
    const files = pkg({
      'assets/iframe.html': '<script type="module" src="/assets/iframe-a1.js"></script>',
      'assets/iframe-a1.js': 'const m=()=>import("./Transcript-c3.js");',
    });
    expect(checkPackage(files).map(formatProblem)).toEqual([
      `error   assets/iframe.html  /assets/iframe-a1.js: is an absolute URL: inside Zendesk it must be relative (Vite's base: './')`,
      'error   assets/iframe-a1.js  ./Transcript-c3.js: names assets/Transcript-c3.js, which the package does not hold',
    ]);
  });

  it('reports a translation key missing in one locale, with file and key', () => {
    const fr = { ...FR, ui: { title: 'Appels' } };
    expect(errors(pkg({ 'translations/fr.json': fr }))).toEqual([
      { file: 'translations/fr.json', key: 'ui.retry' },
    ]);
  });

  it('reports a key that only one locale has', () => {
    const fr = { ...FR, ui: { ...FR.ui, extra: 'x' } };
    expect(errors(pkg({ 'translations/fr.json': fr }))).toEqual([
      { file: 'translations/fr.json', key: 'ui.extra' },
    ]);
  });

  it('reports a parameter without a label', () => {
    const fr = { ...FR, app: { name: 'X', parameters: { api_url: { label: 'URL' } } } };
    expect(errors(pkg({ 'translations/fr.json': fr }))).toContainEqual({
      file: 'translations/fr.json',
      key: 'app.parameters.shared_secret.label',
    });
  });

  it('reports missing required manifest keys and a missing default translation', () => {
    const { author: _a, frameworkVersion: _f, ...rest } = MANIFEST;
    expect(errors(pkg({ 'manifest.json': rest, 'translations/en.json': undefined }))).toEqual(
      expect.arrayContaining([
        { file: 'manifest.json', key: 'author' },
        { file: 'manifest.json', key: 'frameworkVersion' },
      ]),
    );
    expect(errors(pkg({ 'translations/en.json': undefined }))).toEqual([
      { file: 'manifest.json', key: 'defaultLocale' },
    ]);
  });

  it('reports parameter types and flags that are not what Zendesk accepts', () => {
    const manifest = {
      ...MANIFEST,
      parameters: [
        { name: 'api_url', type: 'link', required: 'yes' },
        { name: 'shared_secret', type: 'password', secure: 'true' },
        { name: 'name', type: 'hidden', required: true },
      ],
    };
    expect(errors(pkg({ 'manifest.json': manifest }))).toEqual(
      expect.arrayContaining([
        { file: 'manifest.json', key: 'parameters.api_url.type' },
        { file: 'manifest.json', key: 'parameters.api_url.required' },
        { file: 'manifest.json', key: 'parameters.shared_secret.secure' },
        { file: 'manifest.json', key: 'parameters.name' },
      ]),
    );
  });

  it('warns about a secret-like parameter that is not secure', () => {
    const manifest = { ...MANIFEST, parameters: [{ name: 'api_token', type: 'text' }] };
    const problems = checkPackage(pkg({ 'manifest.json': manifest }));
    expect(problems.filter((p) => p.level === 'warning').map((p) => p.key)).toEqual([
      'parameters.api_token',
    ]);
  });

  it('reports a location url whose file is not in the package', () => {
    expect(errors(pkg({ 'assets/iframe.html': undefined }))).toEqual([
      { file: 'manifest.json', key: 'location.support.ticket_sidebar.url' },
    ]);
    const http = {
      ...MANIFEST,
      location: { support: { ticket_sidebar: { url: 'http://example.com/app' } } },
    };
    expect(errors(pkg({ 'manifest.json': http }))).toEqual([
      { file: 'manifest.json', key: 'location.support.ticket_sidebar.url' },
    ]);
  });

  it('has the admin console in the real package: nav_bar page, its icon, its strings in every locale', () => {
    const files = realPackage();
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as {
      location: { support: Record<string, { url: string }> };
    };
    expect(manifest.location.support.nav_bar).toEqual({ url: 'assets/console.html' });
    expect(new TextDecoder().decode(files.get('assets/icon_nav_bar.svg'))).toMatch(
      /<svg[^>]*viewBox/,
    );
    for (const locale of ['en', 'fr', 'ko', 'ru']) {
      const json = JSON.parse(
        new TextDecoder().decode(files.get(`translations/${locale}.json`)),
      ) as {
        console?: { lines?: { title?: string } };
      };
      expect(json.console?.lines?.title, locale).toBeTruthy();
    }
    // Without its page, or its icon, the package is refused.
    files.delete('assets/console.html');
    expect(errors(files)).toEqual([{ file: 'manifest.json', key: 'location.support.nav_bar.url' }]);
  });

  it('reports a nav_bar location without its SVG icon, or with an icon that is not one', () => {
    const navBar = {
      ...MANIFEST,
      location: {
        support: { ...MANIFEST.location.support, nav_bar: { url: 'assets/iframe.html' } },
      },
    };
    expect(errors(pkg({ 'manifest.json': navBar }))).toEqual([
      { file: 'manifest.json', key: 'location.support.nav_bar' },
    ]);
    expect(
      errors(pkg({ 'manifest.json': navBar, 'assets/icon_nav_bar.svg': 'not an svg' })),
    ).toEqual([{ file: 'manifest.json', key: 'location.support.nav_bar' }]);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 18 18"></svg>';
    expect(errors(pkg({ 'manifest.json': navBar, 'assets/icon_nav_bar.svg': svg }))).toEqual([]);
  });

  it('reports a broken manifest and bad JSON with the file', () => {
    expect(errors(pkg({ 'manifest.json': '{"name": ' }))).toEqual([
      { file: 'manifest.json', key: '(file)' },
    ]);
    expect(errors(pkg({ 'translations/fr.json': '{' }))).toEqual([
      { file: 'translations/fr.json', key: '(file)' },
    ]);
    expect(
      errors(pkg({ 'manifest.json': { ...MANIFEST, private: 'true', domainWhitelist: 'x' } })),
    ).toEqual([
      { file: 'manifest.json', key: 'private' },
      { file: 'manifest.json', key: 'domainWhitelist' },
    ]);
  });

  it('reports logos of the wrong size', () => {
    expect(
      errors(pkg({ 'assets/logo.png': drawLogo(128), 'assets/logo-small.png': undefined })),
    ).toEqual([
      { file: 'assets/logo.png', key: '(file)' },
      { file: 'assets/logo-small.png', key: '(file)' },
    ]);
  });

  it('draws square PNG logos', () => {
    expect(pngSize(drawLogo(320))).toEqual({ width: 320, height: 320 });
  });
});

describe('translations', () => {
  it('every locale has exactly the keys of en.json', () => {
    const problems = checkPackage(realPackage()).filter((p) => p.file.startsWith('translations/'));
    expect(problems).toEqual([]);
  });
});

describe('withApiHosts', () => {
  it("puts the deployment's hosts in the packaged domainWhitelist", () => {
    const out = withApiHosts(enc(MANIFEST), ' bridge.acme.example , api2.acme.example ');
    expect(JSON.parse(new TextDecoder().decode(out)).domainWhitelist).toEqual([
      'bridge.acme.example',
      'api2.acme.example',
    ]);
    expect(withApiHosts(enc(MANIFEST), undefined)).toEqual(enc(MANIFEST));
  });
});

describe('the oauth block', () => {
  const real = () => JSON.parse(new TextDecoder().decode(collectSources().get('manifest.json')));

  it('is not filled in in the repository: packaging without the client fails with what to set', () => {
    const problems = checkPackage(new Map([...realPackage(), ['manifest.json', enc(real())]]));
    const oauth = problems.filter((p) => p.key.startsWith('oauth.'));
    expect(oauth.map((p) => p.key)).toEqual([
      'oauth.client_id',
      'oauth.client_secret',
      'oauth.authorize_uri',
      'oauth.access_token_uri',
    ]);
    expect(oauth[0]?.message).toContain('ZENDESK_OAUTH_CLIENT_ID');
  });

  it("points at the admin's own account, with scope read", () => {
    const filled = JSON.parse(new TextDecoder().decode(realPackage().get('manifest.json')));
    expect(filled.oauth).toEqual({
      client_id: 'sip_call_details',
      client_secret: CLIENT.clientSecret,
      authorize_uri: 'https://acme.zendesk.com/oauth/authorizations/new',
      access_token_uri: 'https://acme.zendesk.com/oauth/tokens',
      scope: 'read',
    });
    expect(filled.parameters).toContainEqual({ name: 'token', type: 'oauth' });
  });

  it('reports a missing key, another host, a wider scope and a missing oauth parameter', () => {
    const filled = JSON.parse(new TextDecoder().decode(realPackage().get('manifest.json')));
    const bad = {
      ...filled,
      parameters: filled.parameters.filter((p: { type?: string }) => p.type !== 'oauth'),
      oauth: {
        ...filled.oauth,
        client_secret: '',
        access_token_uri: 'https://evil.example/oauth/tokens',
        scope: 'read write',
      },
    };
    expect(errors(new Map([...realPackage(), ['manifest.json', enc(bad)]]))).toEqual([
      { file: 'manifest.json', key: 'oauth' },
      { file: 'manifest.json', key: 'oauth.client_secret' },
      { file: 'manifest.json', key: 'oauth.access_token_uri' },
      { file: 'manifest.json', key: 'oauth.scope' },
    ]);
  });

  it('reports an oauth parameter that is secure, and one without the block', () => {
    const filled = JSON.parse(new TextDecoder().decode(realPackage().get('manifest.json')));
    const secure = {
      ...filled,
      parameters: [
        ...filled.parameters.slice(0, 2),
        { name: 'token', type: 'oauth', secure: true },
      ],
    };
    expect(errors(new Map([...realPackage(), ['manifest.json', enc(secure)]]))).toEqual([
      { file: 'manifest.json', key: 'parameters.token' },
    ]);
    const { oauth: _dropped, ...noBlock } = filled;
    expect(errors(new Map([...realPackage(), ['manifest.json', enc(noBlock)]]))).toEqual([
      { file: 'manifest.json', key: 'oauth' },
    ]);
  });
});

describe('readOAuthClient', () => {
  it('takes the client from env vars, or from the ignored file', () => {
    expect(
      readOAuthClient(
        {
          ZENDESK_SUBDOMAIN: 'Acme',
          ZENDESK_OAUTH_CLIENT_ID: 'id',
          ZENDESK_OAUTH_CLIENT_SECRET: 's',
        },
        undefined,
      ),
    ).toEqual({ subdomain: 'acme', clientId: 'id', clientSecret: 's' });
    const file = JSON.stringify({ subdomain: 'acme', client_id: 'id2', client_secret: 's2' });
    expect(readOAuthClient({}, file)).toEqual({
      subdomain: 'acme',
      clientId: 'id2',
      clientSecret: 's2',
    });
  });

  it('fails naming what is missing, never echoing a value', () => {
    expect(() => readOAuthClient({ ZENDESK_OAUTH_CLIENT_SECRET: 'top-secret' }, undefined)).toThrow(
      /ZENDESK_SUBDOMAIN, ZENDESK_OAUTH_CLIENT_ID missing/,
    );
    try {
      readOAuthClient(
        {
          ZENDESK_SUBDOMAIN: 'acme.zendesk.com',
          ZENDESK_OAUTH_CLIENT_ID: 'i',
          ZENDESK_OAUTH_CLIENT_SECRET: 'top-secret',
        },
        undefined,
      );
    } catch (e) {
      expect(String(e)).toMatch(/account name only/);
      expect(String(e)).not.toContain('top-secret');
    }
  });
});
