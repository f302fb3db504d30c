/** A translation file: nested objects of strings (`translations/<locale>.json`). */
export interface Dictionary {
  [key: string]: string | Dictionary;
}

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** The locales the app ships; anything else falls back to English. */
const SUPPORTED_LOCALES = ['en', 'fr', 'ko', 'ru'] as const;
export type AppLocale = (typeof SUPPORTED_LOCALES)[number];

/**
 * Maps a Zendesk locale (`fr`, `fr-CA`, `ko-KR`, `pt-BR`…) to one the app ships.
 * @example resolveLocale('fr-FR') // 'fr'; resolveLocale('pt-BR') // 'en'
 */
export function resolveLocale(locale: unknown): AppLocale {
  const language = typeof locale === 'string' ? locale.toLowerCase().split(/[-_]/)[0] : '';
  return (SUPPORTED_LOCALES as readonly string[]).includes(language ?? '')
    ? (language as AppLocale)
    : 'en';
}

function lookup(dict: Dictionary, key: string): string | undefined {
  let node: string | Dictionary | undefined = dict;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * A translate function over one locale's file with English as the fallback; `{{name}}` is
 * replaced by `vars.name`. A key missing everywhere is returned as is, so it shows in review.
 */
export function createTranslator(dict: Dictionary, fallback: Dictionary = dict): Translate {
  return (key, vars = {}) => {
    const text = lookup(dict, key) ?? lookup(fallback, key) ?? key;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (match, name: string) =>
      name in vars ? String(vars[name]) : match,
    );
  };
}
