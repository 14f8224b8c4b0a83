/**
 * `npm start` / `npm run preview`: serves the built app (`dist/`) on http://127.0.0.1:4173 (`PORT`
 * overrides) with vite's preview server, which sends the cross-origin isolation headers and, per path,
 * the security headers (CSP, nosniff, Referrer-Policy, X-Frame-Options; web/src/sw/security-headers.ts)
 * through vite.config.ts's middleware.
 * `--static` serves the same files without any of those headers, as a plain static host (GitHub Pages)
 * would: the app's service worker then supplies them, and the CSP meta tag in each page covers the
 * first visit before the worker controls it. Vite's preview always adds the configured headers, so
 * that mode uses a small static server of our own (tools/static-server.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { startStaticServer } from './static-server';

const root = fileURLToPath(new URL('..', import.meta.url));
const staticHost = process.argv.includes('--static');

if (!existsSync(`${root}/dist/index.html`)) {
  console.error('dist/ is missing: run `npm run build` first (npm start does it for you).');
  process.exit(1);
}

if (staticHost) {
  const server = await startStaticServer({ root: `${root}/dist`, port: Number(process.env.PORT ?? 4173), host: '127.0.0.1' });
  console.log(`Starling Playground: ${server.url}/ (static host: no COOP/COEP headers; the service worker adds them)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
} else {
  const server = await preview({ root, configFile: `${root}/vite.config.ts` });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${process.env.PORT ?? 4173}/`;
  console.log(`Starling Playground: ${url}`);
}
