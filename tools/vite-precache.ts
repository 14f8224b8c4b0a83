/**
 * Build step: injects the service worker's precache manifest into dist/sw.js with Workbox's build
 * API (workbox-build `injectManifest`), after Vite has written the bundle, and stamps a build id on
 * every page's <html data-build-id> (UpdateBanner and the update test read which version runs).
 *
 * What the manifest holds is the app shell a visit needs with no network: the pages, every script
 * and style (the app's, the workers', both llama.cpp glue builds), icons, the manifest, every wasm
 * file either llama.cpp build may load, and the one demo model the app opens by default. Not sw.js
 * itself, not the bench pages (web/bench, tools only), and no other .gguf: user models are kept in
 * IndexedDB by the download worker, never in the worker's cache.
 */
import { getManifest, injectManifest, type GetManifestOptions } from 'workbox-build';
import { join, resolve } from 'node:path';
import type { Logger, Plugin } from 'vite';
import { DEFAULT_MODEL_PATH } from '../web/src/lib/default-model.ts';

/** The wasm builds are 10 and 19 MB: well above Workbox's 2 MiB default, which would drop them silently. */
export const MAX_PRECACHED_FILE_BYTES = 32 * 1024 * 1024;

/** The manifest options for a built folder (also used by the update test to re-version a copy of dist/). */
export function precacheOptions(dist: string): GetManifestOptions {
  return {
    globDirectory: dist,
    // One broad pattern (Workbox warns about a pattern that matches nothing) plus the demo model.
    globPatterns: ['**/*.{html,js,css,wasm,svg,png,ico,webp,woff2,webmanifest,json}', DEFAULT_MODEL_PATH],
    // No pattern matches any other .gguf (glob ignores cannot carve out the demo from `**/*.gguf`).
    globIgnores: ['sw.js', 'bench/**', '**/*.map'],
    maximumFileSizeToCacheInBytes: MAX_PRECACHED_FILE_BYTES,
    // Hashed file names are versions already: no `?__WB_REVISION__` needed for them.
    dontCacheBustURLsMatching: /^assets\/.+-[\w-]{8}\.\w+$/,
  };
}

/** The manifest Workbox would inject, and its total size: what a visit stores for offline use. */
export async function precacheManifest(dist: string) {
  const { manifestEntries = [], count, size, warnings } = await getManifest(precacheOptions(dist));
  return { entries: manifestEntries, count, size, warnings };
}

/**
 * The manifest as injectManifest writes it into sw.js (keys sorted: it uses a stable stringify), so
 * the update test can find it there and swap it for another build's.
 */
export async function injectedManifestText(dist: string): Promise<string> {
  const { entries } = await precacheManifest(dist);
  return JSON.stringify(entries.map(({ revision, url }) => ({ revision, url })));
}

const BUILD_ID_ATTRIBUTE = 'data-build-id';

/** `<html …>` with the build id added (the pages are ours: each has exactly one <html> tag). */
export function withBuildId(html: string, id: string): string {
  return html.replace(/<html\b/i, `<html ${BUILD_ID_ATTRIBUTE}="${id}"`);
}

export function precache(): Plugin {
  let outDir = '';
  let logger: Logger | undefined;
  // STARLING_BUILD_ID names a build (a CI run, a release); otherwise the build's time does.
  const buildId = process.env.STARLING_BUILD_ID ?? new Date().toISOString();
  return {
    name: 'starling:precache',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      logger = config.logger;
    },
    transformIndexHtml: (html) => withBuildId(html, buildId),
    async closeBundle() {
      const sw = join(outDir, 'sw.js');
      const { count, size, warnings } = await injectManifest({ ...precacheOptions(outDir), swSrc: sw, swDest: sw });
      if (warnings.length > 0) throw new Error(`starling:precache: ${warnings.join('; ')}`);
      logger?.info(`precache: ${count} files, ${(size / 1024 / 1024).toFixed(1)} MiB (${size} bytes), build ${buildId}`);
    },
  };
}
