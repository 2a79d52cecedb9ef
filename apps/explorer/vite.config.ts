// Vite build of the explorer page: apps/explorer -> dist/apps/explorer, served by the
// gateway at `/`. Everything is bundled (no CDN) so the page works offline and in a
// cluster without egress; asset names carry a content hash so the gateway can cache
// them forever while index.html is revalidated.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '../../dist/apps/explorer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsDir: 'assets',
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // `npx vite --config apps/explorer/vite.config.ts` during development: the API
    // comes from the gateway on PORT (the gateway's own variable; default 4000).
    proxy: { '/graphql': `http://127.0.0.1:${process.env.PORT || 4000}` },
  },
});
