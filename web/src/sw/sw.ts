/// <reference lib="webworker" />
/**
 * The app's one service worker, built to `/sw.js` (scope `/`, vite.config.ts). Today it makes the
 * page cross-origin isolated on static hosts by adding COOP/COEP/CORP to same-origin responses
 * (isolation.ts), and adds the security headers `npm start` sends (CSP, nosniff, Referrer-Policy,
 * X-Frame-Options; security-headers.ts) where the host sent none; an offline cache will be added here
 * later as one more step in `respond`.
 *
 * It imports only ./isolation and ./security-headers (nothing the app shares), so the build emits it
 * as one self-contained file with no import statements; web/src/lib/sw-register.ts registers it as a classic script, which
 * every browser with service workers can run.
 */
import { shouldHandle, withAppHeaders } from './isolation';

const sw = self as unknown as ServiceWorkerGlobalScope;

// A new version takes over at once: the isolation rules are stateless, so there is no old cache or
// in-flight state an open page could depend on.
sw.addEventListener('install', () => {
  void sw.skipWaiting();
});

// Control pages that were opened before the worker existed, so that the first visit can reload once
// and come back isolated (sw-register.ts decides when).
sw.addEventListener('activate', (event) => {
  event.waitUntil(sw.clients.claim());
});

async function respond(request: Request): Promise<Response> {
  return withAppHeaders(await fetch(request), new URL(request.url).pathname);
}

sw.addEventListener('fetch', (event) => {
  // Requests not to handle are not answered at all (no respondWith): the browser fetches them itself,
  // exactly as without a worker. Cross-origin model downloads take this path.
  if (!shouldHandle(event.request, sw.location.origin)) return;
  event.respondWith(respond(event.request));
});
