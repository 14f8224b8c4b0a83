/**
 * Registers the app's service worker (`sw.js`, built from web/src/sw/sw.ts) and makes sure the page
 * ends up cross-origin isolated when it can be, without ever reloading in a loop.
 *
 * - Served with COOP/COEP (npm start, a host that sets headers): already isolated; register (for
 *   later visits and, one day, offline use) and never reload.
 * - Static host, first visit: not isolated and not controlled. Register, wait for the worker to claim
 *   the page, reload once; the reloaded document comes through the worker with the headers.
 * - Still not isolated after that one reload (the browser refuses, storage was cleared, ...): do not
 *   reload again. The reason is published and the app runs single-threaded.
 *
 * The outcome is published as `window.__isolation = {isolated, via, reason}` and as
 * `data-isolation="headers|service-worker|none"` on <html>.
 *
 * This module must not import anything from web/src/sw/: a module shared by the app and the worker
 * would become a shared chunk that sw.js imports, and sw.js must stay one self-contained file. The two
 * constants below therefore repeat isolation.ts's (a unit test checks that they agree).
 */

/** `?sw=0` turns the worker off for a page (isolation.ts SW_OPT_OUT_PARAM). */
export const SW_OPT_OUT_PARAM = 'sw';
/** Server-Timing entry the worker adds to responses it isolated (isolation.ts SERVER_TIMING_MARK). */
export const SERVER_TIMING_MARK = 'sw-isolation';
/** sessionStorage key of the "already reloaded once for the worker" guard (per tab). */
export const RELOAD_FLAG_KEY = 'starling-playground:sw-isolation-reload';
/** How long a first visit waits for the new worker to take control before it gives up on the reload. */
const CONTROL_TIMEOUT_MS = 5000;

export type IsolationVia = 'headers' | 'service-worker' | 'none';

export interface IsolationState {
  isolated: boolean;
  via: IsolationVia;
  reason: string;
}

/** What the page knows at start-up, read once by readFacts(). */
export interface IsolationFacts {
  /** `navigator.serviceWorker` exists (absent on insecure origins and where disabled). */
  serviceWorkerApi: boolean;
  /** The page was opened with `?sw=0`. */
  optedOut: boolean;
  /** `crossOriginIsolated`. */
  isolated: boolean;
  /** A service worker controls this page. */
  controlled: boolean;
  /** This document's response carries the worker's Server-Timing mark: the worker added the headers. */
  servedByWorker: boolean;
  /** The page runs in an iframe. */
  framed: boolean;
  /** The reload guard: true when this tab already reloaded for the worker; null when sessionStorage is unavailable. */
  reloadedBefore: boolean | null;
}

export interface IsolationPlan {
  /** Register sw.js. */
  register: boolean;
  /** Remove an existing registration (`?sw=0`). */
  unregister: boolean;
  /** Reload once the worker controls the page (the caller must not start the app then). */
  reload: boolean;
  state: IsolationState;
}

const SINGLE = 'the app runs single-threaded';

/** The decision, from the facts alone. */
export function planIsolation(f: IsolationFacts): IsolationPlan {
  const isolatedState = (): IsolationState =>
    f.servedByWorker
      ? { isolated: true, via: 'service-worker', reason: 'the service worker added the COOP/COEP headers' }
      : { isolated: true, via: 'headers', reason: 'served with COOP/COEP headers' };
  const none = (reason: string): IsolationState => ({ isolated: false, via: 'none', reason });

  if (!f.serviceWorkerApi) {
    // Insecure origin (plain http other than localhost) or service workers disabled: nothing to do.
    return {
      register: false,
      unregister: false,
      reload: false,
      state: f.isolated ? isolatedState() : none(`no service worker API here (insecure origin or disabled); ${SINGLE}`),
    };
  }
  if (f.optedOut) {
    return {
      register: false,
      unregister: true,
      reload: false,
      state: f.isolated ? isolatedState() : none(`service worker turned off by ?sw=0; ${SINGLE}`),
    };
  }
  if (f.isolated) return { register: true, unregister: false, reload: false, state: isolatedState() };

  const stay = (reason: string): IsolationPlan => ({ register: true, unregister: false, reload: false, state: none(`${reason}; ${SINGLE}`) });
  // A frame is isolated by itself only through Document-Isolation-Policy (Chromium), which the worker
  // adds to the widget page: once served by the worker and still not isolated, this browser does not
  // support it, and only an isolated embedding page (COOP/COEP) could help. Before that, one reload.
  if (f.framed && f.servedByWorker) return stay('embedded in a page that is not cross-origin isolated, in a browser that cannot isolate a frame by itself');
  // Without sessionStorage a reload could not be remembered, so it could repeat forever: never risk it.
  if (f.reloadedBefore === null) return stay('sessionStorage is unavailable, so a reload could not be guarded against loops');
  if (f.reloadedBefore) return stay('still not cross-origin isolated after reloading once for the service worker');
  return {
    register: true,
    unregister: false,
    reload: true,
    state: none('reloading once so that the service worker can add the COOP/COEP headers'),
  };
}

/**
 * sw.js's URL: next to the app's base URL (`import.meta.env.BASE_URL`, `./` since the build uses
 * relative URLs), so /embed.html finds it too and a copy under /repo/ registers /repo/sw.js.
 */
export function serviceWorkerUrl(baseUrl: string, documentUrl: string): string {
  return new URL(`${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}sw.js`, documentUrl).href;
}

/** The worker's scope: the folder sw.js is served from (`./`), so it controls that deployment only. */
export function serviceWorkerScope(workerUrl: string): string {
  return new URL('./', workerUrl).href;
}

function readReloadFlag(win: Window): boolean | null {
  try {
    return win.sessionStorage.getItem(RELOAD_FLAG_KEY) !== null;
  } catch {
    return null; // storage disabled, sandboxed iframe, ...
  }
}

function writeReloadFlag(win: Window, on: boolean): void {
  try {
    if (on) win.sessionStorage.setItem(RELOAD_FLAG_KEY, '1');
    else win.sessionStorage.removeItem(RELOAD_FLAG_KEY);
  } catch {
    // readReloadFlag() said null already, and then no reload is planned.
  }
}

function servedByWorker(win: Window): boolean {
  const nav = win.performance?.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
  return nav?.serverTiming?.some((t) => t.name === SERVER_TIMING_MARK) ?? false;
}

/**
 * `navigator.serviceWorker`, or undefined where it is missing or its getter throws (a sandboxed
 * iframe without allow-same-origin throws a SecurityError on mere access).
 */
function serviceWorkerContainer(win: Window): ServiceWorkerContainer | undefined {
  try {
    return (win.navigator.serviceWorker as ServiceWorkerContainer | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

function readFacts(win: Window): IsolationFacts {
  const container = serviceWorkerContainer(win);
  let framed: boolean;
  try {
    framed = win.top !== win.self;
  } catch {
    framed = true;
  }
  return {
    serviceWorkerApi: container !== undefined,
    optedOut: new URLSearchParams(win.location.search).get(SW_OPT_OUT_PARAM) === '0',
    isolated: win.crossOriginIsolated === true,
    controlled: !!container?.controller,
    servedByWorker: servedByWorker(win),
    framed,
    reloadedBefore: readReloadFlag(win),
  };
}

declare global {
  interface Window {
    __isolation?: IsolationState;
  }
}

function publish(win: Window, state: IsolationState): void {
  win.__isolation = state;
  win.document.documentElement.dataset.isolation = state.via;
  if (!state.isolated) console.info(`[isolation] not cross-origin isolated: ${state.reason}`);
}

/** Resolves true once a worker controls the page, false after `timeoutMs`. */
function waitForControl(container: ServiceWorkerContainer, timeoutMs: number): Promise<boolean> {
  if (container.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      container.removeEventListener('controllerchange', onChange);
      resolve(ok);
    };
    const onChange = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    container.addEventListener('controllerchange', onChange);
  });
}

/**
 * Registers the worker per planIsolation() and publishes the outcome. Resolves 'reloading' when the
 * page is about to reload (do not mount the app: it would start the engine twice), else 'continue'.
 * Only that reload case waits for anything; otherwise it resolves at once and registers in the background.
 */
export async function setupIsolation(
  win: Window = window,
  baseUrl: string = import.meta.env.BASE_URL,
  timeoutMs = CONTROL_TIMEOUT_MS,
): Promise<'reloading' | 'continue'> {
  const facts = readFacts(win);
  const plan = planIsolation(facts);
  publish(win, plan.state);
  if (facts.isolated) writeReloadFlag(win, false); // isolated again: a later loss may reload once more
  const container = serviceWorkerContainer(win);
  const url = serviceWorkerUrl(baseUrl, win.document.baseURI);

  // planIsolation() plans neither step without the API: `container` is only missing then.
  if (!container) return 'continue';
  if (plan.unregister) {
    void container
      .getRegistration(url)
      .then((r) => r?.unregister())
      .catch(() => undefined);
  }
  if (!plan.register) return 'continue';

  const registering = container.register(url, { scope: serviceWorkerScope(url) });
  if (!plan.reload) {
    registering.catch((e: unknown) => console.warn('[isolation] service worker registration failed:', e));
    return 'continue';
  }

  try {
    const registration = await registering;
    // A first visit has an installing worker that will claim the page. A worker that is already active
    // but does not control the page (after a hard reload) needs no wait: a normal reload puts the page
    // under it. A page it controls without isolation may have an older worker: reload once, too.
    const controlled = registration.active && !registration.installing && !registration.waiting ? true : await waitForControl(container, timeoutMs);
    if (!controlled) {
      publish(win, { isolated: false, via: 'none', reason: `the service worker did not take control within ${timeoutMs} ms; ${SINGLE}` });
      return 'continue';
    }
  } catch (e) {
    publish(win, { isolated: false, via: 'none', reason: `service worker registration failed (${e instanceof Error ? e.message : String(e)}); ${SINGLE}` });
    return 'continue';
  }
  writeReloadFlag(win, true);
  win.location.reload();
  return 'reloading';
}

// ---- Updates (UpdateBanner.svelte): a new deployment's worker waits until the user agrees. ----

/** Message that lets a waiting worker take over (web/src/sw/offline.ts SKIP_WAITING). */
export const SKIP_WAITING = 'SKIP_WAITING';
/** How often an open page asks the host whether a new version was deployed (browsers check on navigations only). */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/** The parts of a registration the update watch reads: a real one fits, and so does a fake in a test. */
export interface UpdateRegistration extends EventTarget {
  readonly active: ServiceWorker | null;
  readonly installing: ServiceWorker | null;
  readonly waiting: ServiceWorker | null;
  update(): Promise<unknown>;
}

/**
 * Calls `onWaiting` with each new version's worker once it is installed and waits behind the one that
 * serves this page. A first install (no active worker yet) is not an update: it takes control at
 * once (sw.ts claims), and nothing is announced. Returns a function that stops watching.
 */
export function watchForUpdate(registration: UpdateRegistration, onWaiting: (worker: ServiceWorker) => void, checkEveryMs = UPDATE_CHECK_INTERVAL_MS): () => void {
  const isUpdate = (w: ServiceWorker) => registration.active !== null && registration.active !== w;
  if (registration.waiting && isUpdate(registration.waiting)) onWaiting(registration.waiting);
  const onFound = () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && registration.waiting === worker && isUpdate(worker)) onWaiting(worker);
    });
  };
  registration.addEventListener('updatefound', onFound);
  const timer = setInterval(() => void registration.update().catch(() => undefined), checkEveryMs);
  return () => {
    registration.removeEventListener('updatefound', onFound);
    clearInterval(timer);
  };
}

/**
 * The user agreed: the waiting worker takes over, and the page reloads once it controls the page.
 * When it took over already (the user agreed in another tab, whose switch claimed this one too), a
 * plain reload is all that is left: no controllerchange would come.
 */
export function applyUpdate(container: ServiceWorkerContainer, worker: ServiceWorker, win: Window = window): void {
  if (worker.state !== 'installed') {
    win.location.reload();
    return;
  }
  container.addEventListener('controllerchange', () => win.location.reload(), { once: true });
  worker.postMessage({ type: SKIP_WAITING });
}

/** This page's registration, once one is active (never resolves where there is none, e.g. `?sw=0`). */
export function readyRegistration(win: Window = window): Promise<ServiceWorkerRegistration> | null {
  return serviceWorkerContainer(win)?.ready ?? null;
}
