import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { ISOLATION_HEADERS } from './web/src/sw/isolation.ts';
import { META_CONTENT_SECURITY_POLICY, securityHeadersFor } from './web/src/sw/security-headers.ts';
import { precache } from './tools/vite-precache.ts';
import { embedSnippet } from './tools/vite-embed-snippet.ts';

// Cross-origin isolation gives wllama SharedArrayBuffer, hence threads (one definition: the service
// worker's, web/src/sw/isolation.ts).
export const isolationHeaders: Readonly<Record<string, string>> = ISOLATION_HEADERS;

/** Every header `npm start` sends for a path: isolation plus that path's security headers. */
export function servedHeadersFor(pathname: string): Record<string, string> {
  return { ...isolationHeaders, ...securityHeadersFor(pathname) };
}

/**
 * vite preview applies its `preview.headers` to every path alike, but /embed.html needs its own
 * policy (frameable by any site) and the app another (frame-ancestors 'self'): a middleware picks
 * them per path, before vite's static file handler answers.
 */
export const servedHeadersMiddleware: Connect.NextHandleFunction = (req, res, next) => {
  let pathname = '/';
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    // a malformed URL gets the app's (stricter) headers
  }
  for (const [name, value] of Object.entries(servedHeadersFor(pathname))) res.setHeader(name, value);
  next();
};

const securityHeaders = (): Plugin => ({
  name: 'starling:security-headers',
  configurePreviewServer(server) {
    server.middlewares.use(servedHeadersMiddleware);
  },
});

/** Writes the policy after `<meta charset>` of every built page: static hosts send no headers. */
export function withCspMeta(html: string): string {
  const charset = /<meta charset="[^"]*"\s*\/?>/i;
  if (!charset.test(html)) throw new Error('starling:csp-meta: every HTML page needs a <meta charset> to put the CSP after');
  return html.replace(charset, (m) => `${m}\n    <meta http-equiv="Content-Security-Policy" content="${META_CONTENT_SECURITY_POLICY}" />`);
}

// Build only: the dev server's client (HMR websocket, inline styles it injects) is not made to run
// under the policy, and dev is never served to users.
const cspMeta = (): Plugin => ({
  name: 'starling:csp-meta',
  apply: 'build',
  // Not the embed demo: it stands for another site's page, which loads embed.js from the app's origin.
  transformIndexHtml: { order: 'post', handler: (html, ctx) => (ctx.path.endsWith('/embed-demo.html') ? html : withCspMeta(html)) },
});

const web = fileURLToPath(new URL('./web', import.meta.url));
/** `$workers/...` imports from web/ (tsconfig.json and vitest.config.ts name the same alias). */
export const aliases = { $workers: fileURLToPath(new URL('./workers', import.meta.url)) };

export default defineConfig({
  // Relative URLs: one build runs from the site root or any sub-path (GitHub Pages' /repo/) unchanged.
  base: './',
  root: web,
  publicDir: fileURLToPath(new URL('./public', import.meta.url)),
  resolve: { alias: aliases },
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) }), securityHeaders(), cspMeta(), precache(), embedSnippet('embed-snippet', `${web}/src/embed-snippet/starling-embed.d.ts`)],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    rollupOptions: {
      input: {
        main: `${web}/index.html`,
        embed: `${web}/embed.html`,
        bare: `${web}/bench/bare.html`,
        memory: `${web}/bench/memory.html`,
        // The service worker: a stable, unhashed URL next to index.html, so its scope is the app's folder.
        sw: `${web}/src/sw/sw.ts`,
        // embed.js: hosts include it by a stable URL, so unhashed too (embed-snippet/embed.ts).
        'embed-snippet': `${web}/src/embed-snippet/embed.ts`,
        'embed-demo': `${web}/embed-demo.html`,
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : chunk.name === 'embed-snippet' ? 'embed.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@wllama/wllama'] },
  server: { host: '127.0.0.1', port: 5173, headers: isolationHeaders },
  preview: {
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 4173),
    strictPort: true,
    // servedHeadersMiddleware sets them per path. Empty, not absent: preview would otherwise apply
    // server.headers to every file over the middleware's (embed.js's CORP cross-origin included).
    headers: {},
  },
});
