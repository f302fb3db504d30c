import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vite';
import sidebar from './vite.config.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The admin console (manifest location `nav_bar`, `assets/console.html`) as a build of its own,
 * into the same dist/assets/ after the sidebar's: the two share no chunk, so the sidebar's
 * download is what it was without the console, and agents never load a byte of it.
 */
export default mergeConfig(
  sidebar,
  defineConfig({
    build: {
      emptyOutDir: false,
      rolldownOptions: { input: here('./src/console.html') },
    },
  }),
  false,
);
