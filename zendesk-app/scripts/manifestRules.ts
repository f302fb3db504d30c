// manifest.json rules, after zendesk_apps_support's validations/manifest.rb and secure_settings.rb.
import { checkOAuth } from './oauthRules';
import { isObject, VALID_LOCALE, type Json, type PackageFiles, type Problem } from './packageFiles';

const PARAMETER_TYPES = [
  'text',
  'password',
  'checkbox',
  'url',
  'number',
  'multiline',
  'hidden',
  'oauth',
];
const FRAMEWORK_VERSIONS = ['1.0', '2.0'];
const SECURABLE = /token|key|pwd|password/i;
const LOCATIONS: Record<string, string[]> = {
  support: [
    'background',
    'modal',
    'nav_bar',
    'new_ticket_sidebar',
    'organization_sidebar',
    'ticket_editor',
    'ticket_sidebar',
    'top_bar',
    'user_sidebar',
  ],
  chat: ['chat_sidebar', 'background', 'modal'],
  sell: ['deal_card', 'lead_card', 'person_card', 'company_card', 'top_bar', 'background', 'modal'],
};
/** Locations Zendesk shows as an icon, which the package must hold as assets/icon_<location>.svg. */
const ICON_LOCATIONS = ['nav_bar', 'top_bar', 'ticket_editor'];

/** A nav_bar, top_bar or ticket_editor app without its SVG icon shows a broken one in Zendesk. */
function checkLocationIcon(
  location: string,
  files: PackageFiles,
  error: (message: string) => void,
) {
  if (!ICON_LOCATIONS.includes(location)) return;
  const file = `assets/icon_${location}.svg`;
  const bytes = files.get(file);
  if (!bytes) return error(`needs ${file}, the icon Zendesk shows for it`);
  const text = new TextDecoder().decode(bytes);
  if (!/<svg\b[^>]*\bviewBox=/.test(text)) error(`${file} must be an SVG with a viewBox`);
}

const LOCATION_KEYS = ['url', 'flexible', 'size', 'signed', 'autoLoad', 'autoHide', 'legacy'];
export function checkManifest(
  m: Json,
  files: PackageFiles,
  add: (p: Omit<Problem, 'file'>) => void,
) {
  const error = (key: string, message: string) => add({ level: 'error', key, message });
  const warn = (key: string, message: string) => add({ level: 'warning', key, message });

  for (const key of ['author', 'defaultLocale', 'location', 'frameworkVersion']) {
    if (m[key] === undefined) error(key, 'required key is missing');
  }
  for (const key of ['name', 'defaultLocale', 'version', 'frameworkVersion']) {
    if (m[key] !== undefined && typeof m[key] !== 'string')
      error(key, `must be a string, got ${JSON.stringify(m[key])}`);
  }
  for (const key of [
    'private',
    'singleInstall',
    'signedUrls',
    'requirementsOnly',
    'marketingOnly',
  ]) {
    if (m[key] !== undefined && typeof m[key] !== 'boolean')
      error(key, `must be true or false, got ${JSON.stringify(m[key])}`);
  }
  if (typeof m.frameworkVersion === 'string' && !FRAMEWORK_VERSIONS.includes(m.frameworkVersion)) {
    error('frameworkVersion', `must be one of ${FRAMEWORK_VERSIONS.join(', ')}`);
  }
  if (m.author !== undefined) {
    if (!isObject(m.author)) error('author', 'must be an object with name, email and url');
    else {
      for (const f of ['name', 'email', 'url']) {
        if (m.author[f] !== undefined && typeof m.author[f] !== 'string')
          error(`author.${f}`, 'must be a string');
      }
      if (typeof m.author.url === 'string' && !URL.canParse(m.author.url))
        error('author.url', 'is not a valid URL');
    }
  }
  const whitelist = m.domainWhitelist;
  if (
    whitelist !== undefined &&
    !(Array.isArray(whitelist) && whitelist.every((d) => typeof d === 'string'))
  ) {
    error('domainWhitelist', 'must be an array of host names (strings)');
  }

  if (typeof m.defaultLocale === 'string') {
    if (!VALID_LOCALE.test(m.defaultLocale))
      error('defaultLocale', `"${m.defaultLocale}" is not a locale such as en or pt-br`);
    else if (!files.has(`translations/${m.defaultLocale}.json`)) {
      error('defaultLocale', `translations/${m.defaultLocale}.json is missing`);
    }
  }

  if (m.location !== undefined) {
    if (!isObject(m.location) || !Object.keys(m.location).length)
      error('location', 'must name at least one location');
    else {
      for (const [product, locations] of Object.entries(m.location)) {
        const known = LOCATIONS[product];
        if (!known)
          error(
            `location.${product}`,
            `unknown product (one of ${Object.keys(LOCATIONS).join(', ')})`,
          );
        if (!known || !isObject(locations)) continue;
        for (const [name, options] of Object.entries(locations)) {
          const key = `location.${product}.${name}`;
          if (!known.includes(name)) error(key, `unknown ${product} location`);
          if (!isObject(options)) {
            if (typeof options !== 'string') error(key, 'must be a URL or an options object');
            continue;
          }
          for (const option of Object.keys(options)) {
            if (!LOCATION_KEYS.includes(option))
              warn(`${key}.${option}`, 'is not a location option Zendesk knows');
          }
          if (options.flexible !== undefined && typeof options.flexible !== 'boolean') {
            error(`${key}.flexible`, 'must be true or false');
          }
          checkLocationUrl(options.url, `${key}.url`, files, error);
          checkLocationIcon(name, files, (message) => error(key, message));
        }
      }
    }
  }

  if (m.parameters !== undefined && !Array.isArray(m.parameters))
    error('parameters', 'must be an array');
  const params = Array.isArray(m.parameters) ? m.parameters : [];
  const names = params.map((p) => (isObject(p) ? p.name : undefined));
  params.forEach((p, i) => {
    const key = `parameters[${i}]`;
    if (!isObject(p) || typeof p.name !== 'string' || !p.name) return error(key, 'needs a name');
    const at = `parameters.${p.name}`;
    const type = p.type ?? 'text';
    if (names.indexOf(p.name) !== i) error(at, 'is declared twice');
    if (p.name === 'name') error(at, 'a parameter may not be called "name"');
    if (typeof type !== 'string' || !PARAMETER_TYPES.includes(type)) {
      error(`${at}.type`, `"${String(type)}" is not one of ${PARAMETER_TYPES.join(', ')}`);
    }
    for (const flag of ['required', 'secure']) {
      if (p[flag] !== undefined && typeof p[flag] !== 'boolean')
        error(`${at}.${flag}`, `must be true or false, got ${JSON.stringify(p[flag])}`);
    }
    if (type === 'hidden' && p.required === true)
      error(at, 'a hidden parameter cannot be required');
    if (type === 'oauth' && p.secure === true) error(at, 'an oauth parameter cannot be secure');
    if (SECURABLE.test(p.name) && (type === 'text' || type === 'password') && p.secure !== true) {
      warn(
        at,
        'is named like a secret but is not secure: set "secure": true so it never reaches the browser',
      );
    }
    if ('default' in p && (p.secure === true || type === 'hidden'))
      warn(`${at}.default`, 'secure and hidden parameters should not have a default');
    if (p.secure === true && !(Array.isArray(p.scopes) && p.scopes.length)) {
      warn(`${at}.scopes`, 'secure parameter without scopes (Zendesk warns; see docs/admins.md)');
    }
  });
  if (params.filter((p) => isObject(p) && p.type === 'oauth').length > 1)
    error('parameters', 'at most one oauth parameter');
  checkOAuth(m, add);
}

function checkLocationUrl(
  url: unknown,
  key: string,
  files: PackageFiles,
  error: (k: string, m: string) => void,
) {
  if (typeof url !== 'string' || !url) return error(key, 'is missing');
  if (url.includes('{{setting.')) return;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (!parsed || (parsed.protocol !== 'https:' && parsed.hostname !== 'localhost')) {
      error(key, `"${url}" must be https (or localhost)`);
    }
  } else if (!url.startsWith('assets/') || !files.has(url.split(/[?#]/)[0]!)) {
    error(key, `"${url}" must be a file under assets/ in the package, and it is not there`);
  }
}
