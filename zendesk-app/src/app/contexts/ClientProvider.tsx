import { useEffect, useState, type ReactNode } from 'react';
import ZAFClient, { type ZafClient, type ZafMetadata } from 'zendesk_app_framework_sdk';
import { ClientContext, type RegisteredClient } from './ClientContext';

interface Connection {
  client: ZafClient | false;
  registered: Promise<RegisteredClient>;
}

/** Creates the ZAF client and listens for `app.registered` at once, so the event cannot be missed. */
function connect(): Connection {
  const client = ZAFClient.init();
  const registered = new Promise<RegisteredClient>((resolve) => {
    if (!client) return;
    client.on('app.registered', (data) => {
      const { metadata, context } = (data ?? {}) as {
        metadata?: ZafMetadata;
        context?: { account?: { subdomain?: unknown } };
      };
      const subdomain = context?.account?.subdomain;
      resolve({
        client,
        metadata: metadata ?? ({ settings: {} } as ZafMetadata),
        ...(typeof subdomain === 'string' && /^[\w-]+$/.test(subdomain)
          ? { zendeskUrl: `https://${subdomain}.zendesk.com` }
          : {}),
      });
    });
  });
  return { client, registered };
}

/**
 * Creates the ZAF client once and renders nothing until Zendesk has registered the app
 * (outside Zendesk, without `origin` and `app_guid` in the URL, it says so instead).
 */
export function ClientProvider({ children }: { children: ReactNode }) {
  const [connection] = useState(connect);
  const [registered, setRegistered] = useState<RegisteredClient | null>(null);

  useEffect(() => {
    let live = true;
    void connection.registered.then((value) => live && setRegistered(value));
    return () => {
      live = false;
    };
  }, [connection]);

  if (!connection.client) return <p>Open this app from a ticket in Zendesk Support.</p>;
  if (!registered) return null;
  return <ClientContext.Provider value={registered}>{children}</ClientContext.Provider>;
}
