// Translation rules: Zendesk's (valid locale names, JSON objects, app.name) and ours (every
// locale has exactly en's keys, every parameter has a label in every locale).
import {
  flattenKeys,
  isObject,
  readJson,
  VALID_LOCALE,
  type Json,
  type PackageFiles,
  type Problem,
} from './packageFiles';

export function checkTranslations(
  files: PackageFiles,
  manifest: Json | undefined,
  problems: Problem[],
) {
  const locales = [...files.keys()].filter((f) => /^translations\/[^/]+\.json$/.test(f));
  const dicts = new Map<string, Map<string, unknown>>();
  for (const file of locales) {
    const locale = file.slice('translations/'.length, -'.json'.length);
    if (!VALID_LOCALE.test(locale))
      problems.push({
        level: 'error',
        file,
        key: '(file)',
        message: `"${locale}" is not a valid locale name`,
      });
    const json = readJson(files, file, problems);
    if (json === undefined) continue;
    if (!isObject(json)) {
      problems.push({ level: 'error', file, key: '(file)', message: 'must be a JSON object' });
      continue;
    }
    const flat = flattenKeys(json);
    for (const [key, value] of flat) {
      if (typeof value !== 'string')
        problems.push({ level: 'error', file, key, message: 'must be a string' });
    }
    dicts.set(locale, flat);
  }

  const defaultLocale = typeof manifest?.defaultLocale === 'string' ? manifest.defaultLocale : 'en';
  const reference = dicts.get(defaultLocale);
  if (!reference) return;
  const refFile = `translations/${defaultLocale}.json`;
  const required =
    manifest?.private === false
      ? ['name', 'short_description', 'long_description', 'installation_instructions']
      : ['name'];
  for (const key of required) {
    if (!reference.has(`app.${key}`))
      problems.push({
        level: 'error',
        file: refFile,
        key: `app.${key}`,
        message: 'required for the app listing',
      });
  }

  const params = Array.isArray(manifest?.parameters) ? manifest.parameters.filter(isObject) : [];
  for (const [locale, dict] of dicts) {
    const file = `translations/${locale}.json`;
    for (const p of params) {
      const key = `app.parameters.${String(p.name)}.label`;
      if (!dict.has(key))
        problems.push({
          level: 'error',
          file,
          key,
          message: 'the parameter has no label in this locale',
        });
    }
    if (locale === defaultLocale) continue;
    for (const key of reference.keys()) {
      if (!dict.has(key))
        problems.push({ level: 'error', file, key, message: `missing (${refFile} has it)` });
    }
    for (const key of dict.keys()) {
      if (!reference.has(key))
        problems.push({ level: 'error', file, key, message: `not in ${refFile}` });
    }
  }
}
