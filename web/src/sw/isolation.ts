/**
 * Cross-origin isolation for static hosts, as pure functions the service worker (sw.ts) applies.
 *
 * wllama runs llama.cpp on several threads only with SharedArrayBuffer, which the browser grants
 * only to a cross-origin isolated page: its document (and its workers' scripts) must be served with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.
 * `npm start` sends those headers; a static host (GitHub Pages) cannot, so the service worker adds
 * them to the same-origin responses it passes on. Everything here is free of service-worker globals
 * so it can be unit-tested in Node and extended later (precache, offline) without touching the rules.
 */
import { securityHeadersFor } from './security-headers.ts';

/** The headers `npm start` sends too (vite.config.ts `isolationHeaders`). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Marker the worker adds to a response whose isolation headers it supplied. The page reads it from
 * its navigation timing entry (`serverTiming`) to tell "isolated by the service worker" from
 * "isolated by the server's own headers".
 */
export const SERVER_TIMING_MARK = 'sw-isolation';

/** The URL parameter that turns the service worker off for a page (`?sw=0`). */
export const SW_OPT_OUT_PARAM = 'sw';

/** What the rules read from a Request: a real Request fits, and so does a plain object in a test. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly mode?: RequestMode;
  readonly cache?: RequestCache;
  readonly headers?: { has(name: string): boolean };
}

/** Whether the worker should answer this request itself (respondWith), rather than let it go by. */
export function shouldHandle(request: RequestLike, scopeOrigin: string): boolean {
  // Only GET: other methods carry bodies and side effects, and a document or script (the responses
  // that need isolation headers) is always fetched with GET. Passing them by costs nothing.
  if (request.method !== 'GET') return false;

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return false;
  }
  // Only our own origin. Models are downloaded from other hosts (Hugging Face, a CDN, the test model
  // server): they must reach the network exactly as the page asked, with CORS, Range and the
  // browser's own error reporting, and never be touched by this worker. Same-origin data needs no
  // CORP under COEP anyway; cross-origin responses are the host's business (CORS/CORP).
  if (url.origin !== scopeOrigin) return false;

  // Not `only-if-cached` outside same-origin mode: fetch() rejects that combination with a TypeError,
  // so re-issuing such a request (DevTools sends them) from here would turn it into a network error.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return false;

  // Not Range requests. They come from the model downloader (probe + chunks, with If-Range) and from
  // media elements, never for a document or a worker script, and same-origin data is allowed under
  // COEP without any header. Letting them go by keeps multi-GB model downloads out of this worker's
  // thread and avoids synthesising 206 responses (which browsers treat specially for media).
  if (request.headers?.has('Range')) return false;

  // `?sw=0` on a page: the page asked to run without the worker (debugging, comparing speeds), so its
  // document goes to the network untouched even while an earlier registration still controls it.
  if (request.mode === 'navigate' && url.searchParams.get(SW_OPT_OUT_PARAM) === '0') return false;

  return true;
}

/** True when `response` already carries every isolation header (any value: the server's choice wins). */
function hasIsolationHeaders(response: Response): boolean {
  return Object.keys(ISOLATION_HEADERS).every((name) => response.headers.has(name));
}

/** Responses whose headers may not, or need not, be rewritten: they pass on exactly as they came. */
function mustPassAsIs(response: Response): boolean {
  // Opaque, opaque-redirect and network-error responses (status 0) have no readable headers and must
  // reach the page as they are: wrapping them would turn them into readable responses, which the
  // browser forbids (and a navigation's opaque redirect must stay a redirect).
  if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect' || response.type === 'error') return true;
  // A redirected response would lose its final URL in a copy (a new Response has none), and module
  // scripts resolve their imports against that URL. Rare on a static host; pass it on unchanged.
  return response.redirected;
}

/**
 * `response` with each of `isolation` and `security` headers added where the server did not send it
 * (any value the server sent wins, e.g. COEP `credentialless` or its own CSP). The Server-Timing mark
 * is added only when isolation headers were, so the page can tell who isolated it.
 */
function withMissingHeaders(response: Response, security: Readonly<Record<string, string>>): Response {
  if (mustPassAsIs(response)) return response;
  const missing = (set: Readonly<Record<string, string>>) => Object.entries(set).filter(([name]) => !response.headers.has(name));
  const isolation = hasIsolationHeaders(response) ? [] : missing(ISOLATION_HEADERS);
  const extra = missing(security);
  if (isolation.length === 0 && extra.length === 0) return response;

  const headers = new Headers(response.headers);
  for (const [name, value] of [...isolation, ...extra]) headers.set(name, value);
  if (isolation.length > 0) headers.append('Server-Timing', SERVER_TIMING_MARK);
  // Same body stream, status and text: only the headers change. (Null-body statuses such as 204/304
  // come with a null body, which the constructor accepts.)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The response with COOP, COEP and CORP added where missing. Returns `response` itself when there is
 * nothing to add, or nothing that may be added.
 */
export function withIsolationHeaders(response: Response): Response {
  return withMissingHeaders(response, {});
}

/**
 * What the worker serves for a same-origin path: the isolation headers (when the host sent none) and
 * the security headers `npm start` sends for that path (security-headers.ts), each where missing.
 */
export function withAppHeaders(response: Response, pathname: string): Response {
  return withMissingHeaders(response, securityHeadersFor(pathname));
}

/**
 * The response the worker hands back for a request it handles: `response` with isolation headers,
 * or `response` untouched when the request is not one to handle (cross-origin, non-GET, ...).
 */
export function isolate(request: RequestLike, response: Response, scopeOrigin: string): Response {
  return shouldHandle(request, scopeOrigin) ? withAppHeaders(response, new URL(request.url).pathname) : response;
}
