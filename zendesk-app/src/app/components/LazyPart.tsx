import {
  Component,
  lazy,
  Suspense,
  useState,
  type ComponentType,
  type ErrorInfo,
  type ReactNode,
} from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Skeleton } from '@zendeskgarden/react-loaders';
import { useI18n } from '../hooks/useI18n';
import { Subtle } from './Facts';

/** A part whose code is its own chunk: `preload()` starts fetching it before it renders. */
export type LazyPart<P> = ComponentType<P> & { preload: () => void };

/**
 * Placeholder lines while a part loads: a polite status named and saying `label` (the sidebar
 * around it, and the keyboard focus, stay where they are).
 */
export function PartLoading({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" aria-label={label} data-state="loading">
      <span className="visually-hidden">{label}</span>
      <Skeleton width="70%" />
      <Skeleton width="50%" />
    </div>
  );
}

/** The keys of the failure message and its Retry button (the console has its own). */
export interface PartMessages {
  failed: string;
  retry: string;
}
const SIDEBAR_MESSAGES: PartMessages = { failed: 'ui.part.failed', retry: 'ui.error.retry' };

function PartFailed({ onRetry, messages }: { onRetry: () => void; messages: PartMessages }) {
  const { t } = useI18n();
  return (
    <div role="alert" data-state="part-failed">
      <Subtle>{t(messages.failed)}</Subtle>{' '}
      <Button size="small" isLink onClick={onRetry}>
        {t(messages.retry)}
      </Button>
    </div>
  );
}

/** Shows PartFailed in place of its children when their chunk could not be fetched. */
class PartBoundary extends Component<
  { children: ReactNode; onRetry: () => void; messages: PartMessages },
  { failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.warn(`A part of the app could not be loaded: ${error.message}`, info.componentStack);
  }

  override render() {
    return this.state.failed ? (
      <PartFailed onRetry={this.props.onRetry} messages={this.props.messages} />
    ) : (
      this.props.children
    );
  }
}

type Chunk<P> = { default: ComponentType<P> };

/**
 * The chunk a failed dynamic import named, when the browser says (Chromium and Firefox put its
 * URL in the message) and it is one of this app's own (same origin as this module); else null.
 */
export function failedChunkUrl(error: unknown, base: string = import.meta.url): string | null {
  const found = /(https?:\/\/[^\s'"]+?\.js)\b/.exec(error instanceof Error ? error.message : '');
  if (!found) return null;
  try {
    const url = new URL(found[1]!);
    return url.origin === new URL(base).origin ? url.href : null;
  } catch {
    return null;
  }
}

const freshImport = <P,>(url: string) => import(/* @vite-ignore */ url) as Promise<Chunk<P>>;

/**
 * A component loaded from its own chunk the first time it renders (React.lazy), inside its own
 * Suspense and error boundaries: `Loading` shows meanwhile, and a chunk that cannot be fetched
 * leaves a message with Retry in the part's place instead of taking down the sidebar.
 *
 * Retry imports the chunk again under a new URL (`?retry=<n>`): browsers keep a failed module
 * import for the page's lifetime (Chromium 150 answers the same URL's import with the old error
 * without a request), so importing the same URL again would fail at once.
 * @example
 * const Transcript = lazyPart(() => import('./Transcript'), TranscriptLoading);
 */
export function lazyPart<P extends object>(
  load: () => Promise<Chunk<P>>,
  Loading: ComponentType,
  // Tests give their own import and the origin chunks come from.
  {
    reimport = freshImport<P>,
    base = import.meta.url,
    messages = SIDEBAR_MESSAGES,
  }: {
    reimport?: (url: string) => Promise<Chunk<P>>;
    base?: string;
    messages?: PartMessages;
  } = {},
): LazyPart<P> {
  let failedUrl: string | null = null;
  let retries = 0;
  const source = () => {
    const url = failedUrl;
    return (
      url ? reimport(`${url}${url.includes('?') ? '&' : '?'}retry=${retries}`) : load()
    ).catch((error: unknown) => {
      failedUrl = failedChunkUrl(error, base) ?? url;
      throw error;
    });
  };
  // (React.lazy's type wraps P in PropsWithRef, which TypeScript cannot resolve for a generic P.)
  const makeLoaded = () => lazy(source) as unknown as ComponentType<P>;
  // One lazy component for every instance, so the chunk, once loaded, renders at once everywhere;
  // replaced on Retry, because React.lazy keeps a failed load's error for good.
  let Loaded = makeLoaded();
  function Part(props: P) {
    const [attempt, setAttempt] = useState(0);
    const retry = () => {
      retries += 1;
      Loaded = makeLoaded();
      setAttempt((n) => n + 1);
    };
    return (
      <PartBoundary key={attempt} onRetry={retry} messages={messages}>
        <Suspense fallback={<Loading />}>
          <Loaded {...props} />
        </Suspense>
      </PartBoundary>
    );
  }
  return Object.assign(Part, { preload: () => void load().catch(() => undefined) });
}
