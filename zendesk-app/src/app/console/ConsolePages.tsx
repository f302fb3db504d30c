import { useState, type ReactNode } from 'react';
import { Tabs } from '@zendeskgarden/react-tabs';
import { lazyPart, PartLoading } from '../components/LazyPart';
import { useI18n } from '../hooks/useI18n';
import type { ConsoleTarget } from './consoleApi';
import { LinesPage } from './LinesPage';

function PageLoading() {
  const { t } = useI18n();
  return <PartLoading label={t('console.nav.loading')} />;
}

// Each page but Lines is its own chunk, fetched when its tab is first opened; a chunk that cannot
// be fetched leaves a message with Retry in the page's place, the tabs still working.
const messages = { failed: 'console.nav.failed', retry: 'console.nav.retry' };
const UsagePage = lazyPart(() => import('./UsagePage'), PageLoading, { messages });
const CallLogPage = lazyPart(() => import('./CallLogPage'), PageLoading, { messages });
const LiveCallsPage = lazyPart(() => import('./LiveCallsPage'), PageLoading, { messages });

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
          {page.id === selected ? page.render(target) : null}
        </Tabs.TabPanel>
      ))}
    </Tabs>
  );
}
