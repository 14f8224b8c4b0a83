/**
 * The app's security headers, in one place. Three deliverers read this module and must agree
 * (tests/unit/sw-security-headers.test.ts checks that they do):
 *  - `npm start` and the e2e server (vite preview): a middleware in vite.config.ts, per path;
 *  - the service worker on static hosts (web/src/sw/sw.ts through isolation.ts), per path;
 *  - a `<meta http-equiv="Content-Security-Policy">` in the built HTML (vite.config.ts), for a static
 *    host's first visit, before the worker controls the page.
 * It is plain data and string functions (no DOM or Node globals) so vite.config.ts, tools/ and the
 * service worker bundle can all import it. The app itself must not import it (sw-register.ts explains
 * why: sw.js must stay one self-contained file).
 *
 * Why each directive is what it is:
 *  - script-src 'self' 'wasm-unsafe-eval': every script is a built file from this origin (no inline
 *    script in the HTML: Vite emits its modulepreload polyfill as a file); llama.cpp and hash-wasm are
 *    WebAssembly, which compiles only with 'wasm-unsafe-eval'. No 'unsafe-eval'.
 *  - worker-src 'self' blob:: the app's workers are module files from 'self'; wllama (3.8, 3.13) starts its own
 *    worker from a blob: URL (`URL.createObjectURL(new Blob([code]))`, then `new Worker(url, {type:
 *    'module'})`), and llama.cpp's pthreads are started from a blob: URL of the same code.
 *  - connect-src 'self' https: http://127.0.0.1:* http://localhost:* blob: data:: users paste any
 *    https model URL (Hugging Face, a CDN, their own host), so https: stays open; plain http only on
 *    the loopback interface (a model server on this machine, the tests). A LAN http host is refused:
 *    an https deployment would block it as mixed content anyway. blob:/data: for fetch() of local data.
 *  - img-src 'self' data: blob:: no remote hosts, so a remote image in a model reply (markdown) can
 *    never load, even if the sanitizer let one through (it removes <img> already).
 *  - style-src 'self' 'unsafe-inline': Svelte writes `style` attributes and transition <style> rules at
 *    run time; inline style cannot run code, so this is the usual trade-off.
 *  - object-src 'none', base-uri 'self', form-action 'self': no plugins, no <base> hijack, no form posts
 *    elsewhere.
 *  - frame-ancestors 'self' on the main app (with X-Frame-Options: SAMEORIGIN for browsers without
 *    frame-ancestors): other sites cannot frame it (clickjacking). /embed.html is the widget: any site
 *    may frame it, so its policy has no frame-ancestors and no X-Frame-Options, unless the deployer
 *    lists the hosts allowed (embed-config.json: `frame-ancestors 'self' <hosts>`).
 *  - The widget is cross-origin isolated by itself inside any host page (threads) with
 *    Document-Isolation-Policy: isolate-and-require-corp (Chromium 137+; other browsers ignore it and
 *    the widget runs single-threaded there), and it may be framed by a host that is isolated itself
 *    (COEP require-corp), which needs Cross-Origin-Resource-Policy: cross-origin on the page.
 *  - Referrer-Policy: no-referrer: nothing the app fetches needs a referrer, and model hosts need not
 *    learn which page (with which ?model= URL in it) the user had open.
 */

export type PolicyName = 'app' | 'embed';

type Directives = ReadonlyArray<readonly [directive: string, ...sources: string[]]>;

/** Directives both pages share; a meta tag can carry all of these. */
const COMMON: Directives = [
  ['default-src', "'self'"],
  ['script-src', "'self'", "'wasm-unsafe-eval'"],
  ['worker-src', "'self'", 'blob:'],
  ['connect-src', "'self'", 'https:', 'http://127.0.0.1:*', 'http://localhost:*', 'blob:', 'data:'],
  ['img-src', "'self'", 'data:', 'blob:'],
  ['style-src', "'self'", "'unsafe-inline'"],
  ['font-src', "'self'"],
  ['manifest-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'self'"],
];

/** Directives only a header can deliver (browsers ignore them in a meta tag, with a console warning). */
const HEADER_ONLY: Record<PolicyName, Directives> = {
  app: [['frame-ancestors', "'self'"]],
  embed: [],
};

const serialize = (d: Directives): string => d.map((parts) => parts.join(' ')).join('; ');

/** Who may frame the widget: null, any site; otherwise these sources (`'self'` and origins). */
export interface PolicyOptions {
  frameAncestors?: readonly string[] | null;
}

/** The Content-Security-Policy header value for a page. */
export function contentSecurityPolicy(name: PolicyName, opts: PolicyOptions = {}): string {
  const ancestors: Directives = name === 'embed' && opts.frameAncestors ? [['frame-ancestors', ...opts.frameAncestors]] : [];
  return serialize([...COMMON, ...HEADER_ONLY[name], ...ancestors]);
}

/** The policy for `<meta http-equiv="Content-Security-Policy">`: the same, minus header-only directives. */
export const META_CONTENT_SECURITY_POLICY = serialize(COMMON);

/** Which policy a URL path gets: the widget page its own, everything else the app's. */
export function policyForPath(pathname: string): PolicyName {
  return /\/embed(\.html)?$/.test(pathname) ? 'embed' : 'app';
}

/**
 * Whether other sites load this path by URL: embed.js (the embed snippet, from a host page's
 * `<script src>`) and its types. The isolation headers' `Cross-Origin-Resource-Policy: same-origin`
 * would make the browser refuse them to any other origin, so these say `cross-origin` instead.
 */
export function isSharedPath(pathname: string): boolean {
  return /\/embed\.(js|d\.ts)$/.test(pathname);
}

/**
 * Every security header for a path (not the cross-origin isolation headers: isolation.ts owns those,
 * except that the widget's and a shared path's CORP, set here, replace theirs).
 */
export function securityHeadersFor(pathname: string, opts: PolicyOptions = {}): Record<string, string> {
  const name = policyForPath(pathname);
  return {
    'Content-Security-Policy': contentSecurityPolicy(name, opts),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(name === 'app'
      ? { 'X-Frame-Options': 'SAMEORIGIN' }
      : { 'Document-Isolation-Policy': 'isolate-and-require-corp', 'Cross-Origin-Resource-Policy': 'cross-origin' }),
    ...(isSharedPath(pathname) ? { 'Cross-Origin-Resource-Policy': 'cross-origin' } : {}),
  };
}

