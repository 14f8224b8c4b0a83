/// <reference lib="webworker" />
/**
 * The app's one service worker, built to `sw.js` next to index.html (vite.config.ts). It
 *  - makes the page cross-origin isolated on static hosts by adding COOP/COEP/CORP to same-origin
 *    responses (isolation.ts), and adds the security headers `npm start` sends (security-headers.ts)
 *    where the host sent none: to network and precached responses alike;
 *  - precaches the app shell, both llama.cpp wasm builds and the demo model (the manifest is injected
 *    at build time by tools/vite-precache.ts), so the app loads with no network after one visit;
 *  - answers navigations network-first with a short timeout and the precached page as fallback.
 * Model files other than the demo never enter its cache: there is no runtime caching at all, and the
 * models the user picks live in IndexedDB (the download worker owns them).
 *
 * It imports only ./isolation, ./security-headers, ./offline and workbox-precaching (nothing the app
 * shares), so the build emits it as one self-contained file with no import statements;
 * web/src/lib/sw-register.ts registers it as a classic script, which every browser with service
 * workers can run.
 */
import { cleanupOutdatedCaches, PrecacheController, type PrecacheEntry } from 'workbox-precaching';
import { shouldHandle, withAppHeaders } from './isolation';
import { NAVIGATION_TIMEOUT_MS, navigationFallbackUrl, networkFirst, SKIP_WAITING } from './offline';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

const precache = new PrecacheController();
// Written exactly like this: workbox-build's injectManifest replaces `self.__WB_MANIFEST` with the list.
precache.addToCacheList(self.__WB_MANIFEST);

// Install fills the precache with this version's files (URLs carry their revision, so a new version
// adds new entries beside the old ones). No skipWaiting: a first install activates at once anyway (no
// worker to wait for), while an update waits until the user agrees (UpdateBanner.svelte posts
// SKIP_WAITING) or every page of the old version is closed, so an open page never runs against
// another version's files.
self.addEventListener('install', (event) => {
  void precache.install(event);
});

// Activation removes the entries the old version listed and this one does not, and caches left by
// older Workbox versions. Claiming the open pages lets a first visit reload once and come back
// isolated (sw-register.ts decides when), and moves every tab onto the new version after an agreed update.
cleanupOutdatedCaches();
self.addEventListener('activate', (event) => {
  void precache.activate(event);
  event.waitUntil(self.clients.claim());
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === SKIP_WAITING) void self.skipWaiting();
});

async function respond(request: Request): Promise<Response> {
  const response =
    request.mode === 'navigate'
      ? await networkFirst(() => fetch(request), () => precache.matchPrecache(navigationFallbackUrl(request.url)), NAVIGATION_TIMEOUT_MS)
      : ((await precache.matchPrecache(request)) ?? (await fetch(request)));
  return withAppHeaders(response, new URL(request.url).pathname);
}

self.addEventListener('fetch', (event) => {
  // Requests not to handle are not answered at all (no respondWith): the browser fetches them itself,
  // exactly as without a worker. Cross-origin model downloads and Range requests take this path.
  if (!shouldHandle(event.request, self.location.origin)) return;
  event.respondWith(respond(event.request));
});
