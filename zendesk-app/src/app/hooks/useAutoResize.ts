import { useEffect, type RefObject } from 'react';
import { useClient } from './useClient';

/** Keeps the sidebar iframe as tall as the app's content (ZAF `resize`), whenever it changes. */
export function useAutoResize(ref: RefObject<HTMLElement>) {
  const { client } = useClient();
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    let last = -1;
    const resize = () => {
      const height = Math.ceil(element.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      void client.invoke('resize', { width: '100%', height: `${height}px` });
    };
    resize();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(resize);
    observer.observe(element);
    return () => observer.disconnect();
  }, [client, ref]);
}
