/**
 * `npm start` / `npm run preview`: serves the built app (`dist/`) on http://127.0.0.1:4173 (`PORT`
 * overrides) with vite's preview server and the cross-origin isolation headers from vite.config.ts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

if (!existsSync(`${root}/dist/index.html`)) {
  console.error('dist/ is missing: run `npm run build` first (npm start does it for you).');
  process.exit(1);
}

const server = await preview({ root, configFile: `${root}/vite.config.ts` });
console.log(`Starling Playground: ${server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${process.env.PORT ?? 4173}/`}`);
