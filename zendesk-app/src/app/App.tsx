import { lazy, Suspense, type ComponentType } from 'react';
import { DEFAULT_THEME, ThemeProvider } from '@zendeskgarden/react-theming';
import { LoadingState } from './components/LoadingState';
import { useAgentLocale } from './hooks/useAgentLocale';
import { useClient } from './hooks/useClient';
import { I18nContext } from './i18n/I18nContext';

/** Each manifest location and the component it renders, loaded when first needed. */
const LOCATIONS: Record<string, ComponentType> = {
  ticket_sidebar: lazy(() => import('./locations/TicketSideBar')),
};

/** Maps the location Zendesk opened the app in to its component, themed and translated. */
export default function App({ location = 'ticket_sidebar' }: { location?: string }) {
  useClient();
  const i18n = useAgentLocale();
  const Location = LOCATIONS[location];
  return (
    <ThemeProvider theme={DEFAULT_THEME}>
      {i18n ? (
        <I18nContext.Provider value={i18n}>
          <Suspense fallback={<LoadingState />}>
            {Location ? <Location /> : <p>Unsupported location: {location}</p>}
          </Suspense>
        </I18nContext.Provider>
      ) : null}
    </ThemeProvider>
  );
}
