import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Dots } from '@zendeskgarden/react-loaders';
import { Tabs } from '@zendeskgarden/react-tabs';
import { useI18n } from '../hooks/useI18n';
import type { ConsoleTarget } from './consoleApi';
import { LinesPage } from './LinesPage';

// Each page but Lines is its own chunk, fetched when its tab is first opened.
const UsagePage = lazy(() => import('./UsagePage'));
const CallLogPage = lazy(() => import('./CallLogPage'));
const LiveCallsPage = lazy(() => import('./LiveCallsPage'));

/**
 * One page of the console: its tab label (a key under `console.nav`) and what it renders. A page
 * other than Lines is imported with `React.lazy`, so the console's first download stays small.
 */
export interface ConsolePage {
  id: string;
  render: (target: ConsoleTarget) => ReactNode;
}

/** The console's pages, in tab order. Adding a page is one entry here and one `console.nav` key. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [
  { id: 'lines', render: (target) => <LinesPage target={target} /> },
  { id: 'live', render: (target) => <LiveCallsPage target={target} /> },
  { id: 'calls', render: (target) => <CallLogPage target={target} /> },
  { id: 'usage', render: (target) => <UsagePage target={target} /> },
];

/** Garden tabs over the pages (arrow keys move between tabs); the selected page only is mounted. */
export function ConsolePages({ target }: { target: ConsoleTarget }) {
  const { t } = useI18n();
  const [selected, setSelected] = useState(CONSOLE_PAGES[0]!.id);
  if (CONSOLE_PAGES.length === 1) return <>{CONSOLE_PAGES[0]!.render(target)}</>;
  return (
    <Tabs selectedItem={selected} onChange={(id) => setSelected(String(id))}>
      <Tabs.TabList aria-label={t('console.nav.label')}>
        {CONSOLE_PAGES.map((page) => (
          <Tabs.Tab key={page.id} item={page.id}>
            {t(`console.nav.${page.id}`)}
          </Tabs.Tab>
        ))}
      </Tabs.TabList>
      {CONSOLE_PAGES.map((page) => (
        <Tabs.TabPanel key={page.id} item={page.id}>
          {page.id === selected ? (
            <Suspense fallback={<Dots aria-label={t('console.nav.loading')} />}>
              {page.render(target)}
            </Suspense>
          ) : null}
        </Tabs.TabPanel>
      ))}
    </Tabs>
  );
}
