/**
 * `npm start` / `npm run preview`: serves the built app (`dist/`) on http://127.0.0.1:4173 (`PORT`
 * overrides) with vite's preview server, which sends the cross-origin isolation headers and, per path,
 * the security headers (CSP, nosniff, Referrer-Policy, X-Frame-Options; web/src/sw/security-headers.ts)
 * through vite.config.ts's middleware.
 * `--static` serves the same files without any of those headers, as a plain static host (GitHub Pages)
 * would: the app's service worker then supplies them, and the CSP meta tag in each page covers the
 * first visit before the worker controls it. Vite's preview always adds the configured headers, so
 * that mode uses a small static server of our own (tools/static-server.ts).
 * `--base /sub/dir/` serves the app under that sub-path instead of the root (as GitHub Pages serves
 * `/<repo>/`), in either mode: the build uses relative URLs, so the same dist/ works there.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { normalizeBase, startStaticServer } from './static-server';

const root = fileURLToPath(new URL('..', import.meta.url));
const staticHost = process.argv.includes('--static');
const baseAt = process.argv.indexOf('--base');
const base = normalizeBase(baseAt >= 0 ? (process.argv[baseAt + 1] ?? '') : '/');

if (!existsSync(`${root}/dist/index.html`)) {
  console.error('dist/ is missing: run `npm run build` first (npm start does it for you).');
  process.exit(1);
}

if (staticHost) {
  const server = await startStaticServer({ root: `${root}/dist`, port: Number(process.env.PORT ?? 4173), host: '127.0.0.1', base });
  console.log(`Starling Playground: ${server.url}${base} (static host: no COOP/COEP headers; the service worker adds them)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
} else {
  // The build's `base` is './'; preview serves under `base` when one is given here.
  const server = await preview({ root, configFile: `${root}/vite.config.ts`, ...(base === '/' ? {} : { base }) });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${process.env.PORT ?? 4173}${base}`;
  console.log(`Starling Playground: ${url}`);
}
