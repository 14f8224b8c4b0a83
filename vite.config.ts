import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EMBED_CONFIG_FILE, frameAncestorSources, parseEmbedConfig } from './web/src/lib/embed/embed-config-file.ts';
import { ISOLATION_HEADERS } from './web/src/sw/isolation.ts';
import { META_CONTENT_SECURITY_POLICY, policyForPath, securityHeadersFor } from './web/src/sw/security-headers.ts';
import { precache } from './tools/vite-precache.ts';
import { embedSnippet } from './tools/vite-embed-snippet.ts';
import { keepEngineFilesApart, ownEngine } from './tools/vite-own-engine.ts';

// Cross-origin isolation gives wllama SharedArrayBuffer, hence threads (one definition: the service
// worker's, web/src/sw/isolation.ts).
export const isolationHeaders: Readonly<Record<string, string>> = ISOLATION_HEADERS;

/** Every header `npm start` sends for a path: isolation plus that path's security headers. */
export function servedHeadersFor(pathname: string, frameAncestors: readonly string[] | null = null): Record<string, string> {
  return { ...isolationHeaders, ...securityHeadersFor(pathname, { frameAncestors }) };
}

/**
 * The widget's `frame-ancestors` from the deployer's embed-config.json in `dir` (read at each request
 * for the widget, so an edit applies without a restart). No file: any site. A broken file: only the
 * app's own origin, as the widget itself then refuses every host (fail closed).
 */
export function frameAncestorsFrom(dir: string): readonly string[] | null {
  let text: string;
  try {
    text = readFileSync(resolve(dir, EMBED_CONFIG_FILE), 'utf8');
  } catch {
    return null;
  }
  const checked = parseEmbedConfig(text);
  return checked.ok ? frameAncestorSources(checked.config) : ["'self'"];
}

/**
 * vite preview applies its `preview.headers` to every path alike, but /embed.html needs its own
 * policy (frameable by any site) and the app another (frame-ancestors 'self'): a middleware picks
 * them per path, before vite's static file handler answers.
 */
export function headersMiddleware(frameAncestors: () => readonly string[] | null): Connect.NextHandleFunction {
  return (req, res, next) => {
    let pathname = '/';
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // a malformed URL gets the app's (stricter) headers
    }
    const ancestors = policyForPath(pathname) === 'embed' ? frameAncestors() : null;
    for (const [name, value] of Object.entries(servedHeadersFor(pathname, ancestors))) res.setHeader(name, value);
    next();
  };
}

/** The middleware with no embed-config.json (any site may frame the widget). */
export const servedHeadersMiddleware: Connect.NextHandleFunction = headersMiddleware(() => null);

const securityHeaders = (): Plugin => ({
  name: 'starling:security-headers',
  configurePreviewServer(server) {
    const dir = resolve(server.config.root, server.config.build.outDir);
    server.middlewares.use(headersMiddleware(() => frameAncestorsFrom(dir)));
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
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) }), securityHeaders(), cspMeta(), precache(), embedSnippet('embed-snippet', `${web}/src/embed-snippet/starling-embed.d.ts`), ownEngine()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: keepEngineFilesApart,
    target: 'es2023',
    rollupOptions: {
      input: {
        main: `${web}/index.html`,
        embed: `${web}/embed.html`,
        bare: `${web}/bench/bare.html`,
        'bare-own': `${web}/bench/bare-own.html`,
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
  worker: { format: 'es', plugins: () => [ownEngine()] },
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
