import { Suspense, type ComponentType } from 'react';
import { DEFAULT_THEME, ThemeProvider } from '@zendeskgarden/react-theming';
import { LoadingState } from './components/LoadingState';
import { useAgentLocale } from './hooks/useAgentLocale';
import { useClient } from './hooks/useClient';
import { I18nContext } from './i18n/I18nContext';
import TicketSideBar from './locations/TicketSideBar';

/**
 * Each manifest location and the component it renders. The ticket sidebar is the first paint, so
 * it is bundled with the app: as a chunk of its own it added a round trip before the first paint
 * and 2 KB gzipped (chunk glue, and a second entry chunk that Rolldown 1.2 split off once parts
 * loaded on demand came: rolldown/rolldown#10731). A location not always shown can be
 * `lazy(() => import(…))`, under the Suspense below; parts loaded on the agent's action have their
 * own (components/LazyPart.tsx).
 */
const LOCATIONS: Record<string, ComponentType> = {
  ticket_sidebar: TicketSideBar,
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
