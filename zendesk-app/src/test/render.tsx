import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { DEFAULT_THEME, ThemeProvider } from '@zendeskgarden/react-theming';
import type { ZafClient, ZafRequestOptions, ZafResponse } from 'zendesk_app_framework_sdk';
import { ClientContext } from '../app/contexts/ClientContext';
import { I18nContext } from '../app/i18n/I18nContext';
import { createTranslator, type AppLocale, type Dictionary } from '../app/i18n/translate';
import en from '../../translations/en.json';
import fr from '../../translations/fr.json';
import ko from '../../translations/ko.json';
import ru from '../../translations/ru.json';

const DICTIONARIES: Record<AppLocale, Dictionary> = { en, fr, ko, ru };

/** Renders with Garden's theme and the given locale's translations (no ZAF client). */
export function renderWithI18n(ui: ReactElement, locale: AppLocale = 'en') {
  const t = createTranslator(DICTIONARIES[locale], en);
  return render(
    <ThemeProvider theme={DEFAULT_THEME}>
      <I18nContext.Provider value={{ locale, t }}>{ui}</I18nContext.Provider>
    </ThemeProvider>,
  );
}

export interface FakeClient extends ZafClient {
  sets: { path: string; value: unknown }[];
  invokes: { name: string; args: unknown[] }[];
  requests: ZafRequestOptions[];
}

/** A ZAF client whose `get` reads `data` and whose `request` calls `respond`. */
export function fakeClient(
  respond: (options: ZafRequestOptions) => Promise<ZafResponse> | ZafResponse,
  data: Record<string, unknown> = { 'ticket.id': 1001, 'currentUser.id': 20009 },
): FakeClient {
  const client: FakeClient = {
    sets: [],
    invokes: [],
    requests: [],
    get: async (path) => {
      const paths = Array.isArray(path) ? path : [path];
      return { ...Object.fromEntries(paths.map((p) => [p, data[p]])), errors: {} };
    },
    set: async (path, value) => {
      client.sets.push({ path, value });
      return {};
    },
    invoke: async (name, ...args) => {
      client.invokes.push({ name, args });
      return {};
    },
    request: async (options) => {
      client.requests.push(options);
      return respond(options);
    },
    metadata: async () => ({ appId: 1, installationId: 1, name: 'x', version: '1', settings: {} }),
    on: () => undefined,
    off: () => undefined,
  };
  return client;
}

/** Renders inside a registered client context with `api_url` set. */
export function renderWithClient(
  ui: ReactElement,
  client: ZafClient,
  settings: Record<string, unknown> = { api_url: 'https://bridge.example.com' },
) {
  const metadata = { appId: 1, installationId: 1, name: 'x', version: '1', settings };
  return renderWithI18n(
    <ClientContext.Provider value={{ client, metadata }}>{ui}</ClientContext.Provider>,
  );
}

export const json = (status: number, body: unknown): ZafResponse => ({
  status,
  responseJSON: body,
  responseText: JSON.stringify(body),
  headers: {},
});
