import { useEffect, useMemo, useState } from 'react';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { DEFAULT_THEME, ThemeProvider } from '@zendeskgarden/react-theming';
import { useClient } from '../hooks/useClient';
import { I18nContext, type I18n } from '../i18n/I18nContext';
import { createTranslator, resolveLocale } from '../i18n/translate';
import { loadConsoleStrings } from './consoleStrings';
import { ConsolePages } from './ConsolePages';

type Viewer = { role: 'admin'; id: number | string } | { role: 'other' };

/**
 * The admin console in Zendesk's navigation bar (`nav_bar`): its pages for admins, in their
 * Zendesk language. The role Zendesk gives the app (`currentUser.role`) only decides what is
 * shown; the Worker asks Zendesk again for every request, so a forged role gets refusals, not lines.
 */
export function ConsoleApp() {
  const { client, metadata } = useClient();
  const [strings, setStrings] = useState<I18n | null>(null);
  const [viewer, setViewer] = useState<Viewer | null>(null);

  useEffect(() => {
    let live = true;
    client
      .get(['currentUser.locale', 'currentUser.role', 'currentUser.id'])
      .catch(() => ({}) as Record<string, unknown>)
      .then(async (data) => {
        const locale = resolveLocale(data['currentUser.locale']);
        const [own, en] = await Promise.all([loadConsoleStrings(locale), loadConsoleStrings('en')]);
        if (!live) return;
        document.documentElement.lang = locale;
        setStrings({ locale, t: createTranslator(own, en) });
        setViewer(
          data['currentUser.role'] === 'admin'
            ? { role: 'admin', id: data['currentUser.id'] as number | string }
            : { role: 'other' },
        );
      });
    return () => {
      live = false;
    };
  }, [client]);

  const target = useMemo(
    () =>
      viewer?.role === 'admin'
        ? { client, apiUrl: String(metadata.settings.api_url ?? ''), userId: viewer.id }
        : null,
    [client, metadata, viewer],
  );

  return (
    <ThemeProvider theme={DEFAULT_THEME}>
      {strings && viewer ? (
        <I18nContext.Provider value={strings}>
          <main className="console-page">
            {target ? (
              <ConsolePages target={target} />
            ) : (
              <Alert type="info">
                <Alert.Title>{strings.t('console.admins_only.title')}</Alert.Title>
                <Alert.Paragraph>{strings.t('console.admins_only.body')}</Alert.Paragraph>
              </Alert>
            )}
          </main>
        </I18nContext.Provider>
      ) : (
        <Dots aria-label="Loading" />
      )}
    </ThemeProvider>
  );
}
