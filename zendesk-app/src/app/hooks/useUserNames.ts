import { useEffect, useState } from 'react';
import { useClient } from './useClient';

/**
 * Names of Zendesk users by id (`GET /api/v2/users/{id}` as the agent), for matched callers.
 * A user that cannot be read is left out; the card then shows the id.
 */
export function useUserNames(ids: number[]): ReadonlyMap<number, string> {
  const { client } = useClient();
  const [names, setNames] = useState<ReadonlyMap<number, string>>(new Map());
  const key = [...new Set(ids)].sort((a, b) => a - b).join(',');

  useEffect(() => {
    if (!key) return;
    let live = true;
    const wanted = key.split(',').map(Number);
    void Promise.all(
      wanted.map((id) =>
        client
          .request({ url: `/api/v2/users/${id}.json`, type: 'GET' })
          .then((body) => [id, (body as unknown as { user?: { name?: unknown } }).user?.name])
          .catch(() => [id, undefined]),
      ),
    ).then((pairs) => {
      const found = pairs.filter((p): p is [number, string] => typeof p[1] === 'string');
      if (live) setNames(new Map(found));
    });
    return () => {
      live = false;
    };
  }, [client, key]);

  return names;
}
