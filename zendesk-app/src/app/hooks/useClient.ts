import { useContext } from 'react';
import { ClientContext, type RegisteredClient } from '../contexts/ClientContext';

/** The registered ZAF client and the app's metadata; only inside <ClientProvider>. */
export function useClient(): RegisteredClient {
  const value = useContext(ClientContext);
  if (!value) throw new Error('useClient() needs a <ClientProvider> above it');
  return value;
}
