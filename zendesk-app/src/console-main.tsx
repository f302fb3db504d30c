import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './app/console/ConsoleApp';
import { ClientProvider } from './app/contexts/ClientProvider';
import './app/console/console.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <ClientProvider>
      <ConsoleApp />
    </ClientProvider>
  </StrictMode>,
);
