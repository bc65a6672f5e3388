// Vite: two HTML entries (the console at /, GraphiQL at /graphql for browsers), hashed assets under
// /assets/, and a proxy to a running grapevine for `npm run dev` and `npm run preview` (the e2e
// suites run against `vite preview` until the binary serves dist/ itself).
//
//   GRAPEVINE_API   the backend, default http://127.0.0.1:8080 (see scripts/dev-backend.sh)
import type { IncomingMessage } from 'node:http';
import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';
import { CONTENT_SECURITY_POLICY } from './src/app/csp';

const api = process.env.GRAPEVINE_API ?? 'http://127.0.0.1:8080';

/** A browser asking for /graphql as a page gets GraphiQL, as the binary will answer. */
function graphiqlForBrowsers(req: IncomingMessage): string | undefined {
  const accept = req.headers.accept ?? '';
  const upgrade = req.headers.upgrade ?? '';
  if (
    req.method === 'GET' &&
    accept.includes('text/html') &&
    !upgrade &&
    !req.url?.includes('query=')
  ) {
    return '/graphiql.html';
  }
  return undefined;
}

const proxy: Record<string, ProxyOptions> = {
  '/graphql': { target: api, ws: true, bypass: graphiqlForBrowsers },
  '/r/': { target: api },
  '/qr/': { target: api },
  '/reports/': { target: api },
  '/exports/': { target: api },
};

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: { index: 'index.html', graphiql: 'graphiql.html' },
      // GraphiQL's React-compiler directives are harmless when bundled; keep the log readable.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  // ../schema.graphql is bundled into GraphiQL.
  server: { proxy, fs: { allow: ['..'] } },
  preview: {
    proxy,
    headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  },
});
