import { createContext } from 'react';
import type { ZafClient, ZafMetadata } from 'zendesk_app_framework_sdk';

export interface RegisteredClient {
  client: ZafClient;
  /** What `app.registered` carried: the installation's non-secure settings among them. */
  metadata: ZafMetadata;
  /** The account's Zendesk URL (`https://{subdomain}.zendesk.com`), for links that leave the app. */
  zendeskUrl?: string;
}

export const ClientContext = createContext<RegisteredClient | null>(null);
