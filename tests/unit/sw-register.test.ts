import { describe, expect, it, vi } from 'vitest';
import * as isolation from '../../web/src/sw/isolation';
import {
  planIsolation,
  RELOAD_FLAG_KEY,
  SERVER_TIMING_MARK,
  serviceWorkerScope,
  serviceWorkerUrl,
  setupIsolation,
  SW_OPT_OUT_PARAM,
  type IsolationFacts,
  type IsolationState,
} from '../../web/src/lib/sw-register';

const facts = (over: Partial<IsolationFacts> = {}): IsolationFacts => ({
  serviceWorkerApi: true,
  optedOut: false,
  isolated: false,
  controlled: false,
  servedByWorker: false,
  framed: false,
  reloadedBefore: false,
  ...over,
});

describe('planIsolation', () => {
  it('isolated by the server headers: registers, never reloads', () => {
    const plan = planIsolation(facts({ isolated: true }));
    expect(plan).toMatchObject({ register: true, reload: false, state: { isolated: true, via: 'headers' } });
    expect(planIsolation(facts({ isolated: true, controlled: true, reloadedBefore: true })).reload).toBe(false);
  });

  it('isolated by the worker (its Server-Timing mark): via service-worker, no reload', () => {
    expect(planIsolation(facts({ isolated: true, controlled: true, servedByWorker: true }))).toMatchObject({
      register: true,
      reload: false,
      state: { isolated: true, via: 'service-worker' },
    });
  });

  it('not isolated, not controlled, no flag: registers and reloads once', () => {
    expect(planIsolation(facts())).toMatchObject({ register: true, reload: true, state: { isolated: false, via: 'none' } });
  });

  it('flag already set: no reload, and says why', () => {
    const plan = planIsolation(facts({ reloadedBefore: true, controlled: true }));
    expect(plan.reload).toBe(false);
    expect(plan.register).toBe(true);
    expect(plan.state).toMatchObject({ isolated: false, via: 'none' });
    expect(plan.state.reason).toMatch(/still not cross-origin isolated after reloading once/);
    expect(plan.state.reason).toMatch(/single-threaded/);
  });

  it('sessionStorage unavailable: never reloads (a loop could not be prevented)', () => {
    const plan = planIsolation(facts({ reloadedBefore: null }));
    expect(plan.reload).toBe(false);
    expect(plan.state.reason).toMatch(/sessionStorage/);
  });

  it('in an iframe: reloads once for the worker (its Document-Isolation-Policy isolates the frame in Chromium), then stays', () => {
    expect(planIsolation(facts({ framed: true })).reload).toBe(true);
    const served = planIsolation(facts({ framed: true, controlled: true, servedByWorker: true }));
    expect(served.reload).toBe(false);
    expect(served.state.reason).toMatch(/embedded/);
    expect(planIsolation(facts({ framed: true, reloadedBefore: true })).reload).toBe(false);
  });

  it('no service worker API: does nothing', () => {
    expect(planIsolation(facts({ serviceWorkerApi: false }))).toMatchObject({ register: false, unregister: false, reload: false, state: { via: 'none' } });
    expect(planIsolation(facts({ serviceWorkerApi: false, isolated: true })).state.via).toBe('headers');
  });

  it('?sw=0: no registration, the old one removed, no reload', () => {
    const plan = planIsolation(facts({ optedOut: true }));
    expect(plan).toMatchObject({ register: false, unregister: true, reload: false, state: { isolated: false, via: 'none' } });
    expect(plan.state.reason).toMatch(/\?sw=0/);
  });
});

describe('serviceWorkerUrl', () => {
  it('is sw.js at the base URL, from the app and from the embed page alike', () => {
    expect(serviceWorkerUrl('/', 'https://a.example/?threads=2')).toBe('https://a.example/sw.js');
    expect(serviceWorkerUrl('/', 'https://a.example/embed.html')).toBe('https://a.example/sw.js');
    expect(serviceWorkerUrl('/repo/', 'https://u.github.io/repo/embed.html')).toBe('https://u.github.io/repo/sw.js');
    expect(serviceWorkerUrl('./', 'https://u.github.io/repo/embed.html')).toBe('https://u.github.io/repo/sw.js');
  });
  it("is scoped to sw.js's folder: a sub-path deployment controls only itself", () => {
    expect(serviceWorkerScope('https://u.github.io/repo/sw.js')).toBe('https://u.github.io/repo/');
    expect(serviceWorkerScope('https://a.example/sw.js')).toBe('https://a.example/');
  });
});

it('repeats the worker side constants exactly (they cannot be imported without a shared chunk)', () => {
  expect(SERVER_TIMING_MARK).toBe(isolation.SERVER_TIMING_MARK);
  expect(SW_OPT_OUT_PARAM).toBe(isolation.SW_OPT_OUT_PARAM);
});

/** A window-like object with just what setupIsolation() reads. */
function fakeWindow(opts: { isolated?: boolean; search?: string; sw?: object | undefined; storage?: Map<string, string> | null }) {
  const storage = opts.storage === undefined ? new Map<string, string>() : opts.storage;
  const win = {
    crossOriginIsolated: opts.isolated ?? false,
    location: { search: opts.search ?? '', reload: vi.fn() },
    navigator: 'sw' in opts ? { serviceWorker: opts.sw } : {},
    document: { baseURI: 'https://a.example/', documentElement: { dataset: {} as Record<string, string> } },
    performance: { getEntriesByType: () => [] },
    sessionStorage: storage
      ? { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v), removeItem: (k: string) => storage.delete(k) }
      : {
          getItem: () => {
            throw new Error('SecurityError');
          },
        },
    top: null as unknown,
    self: null as unknown,
    __isolation: undefined as IsolationState | undefined,
  };
  win.top = win;
  win.self = win;
  return win;
}

/** A ServiceWorkerContainer whose registration installs, then claims the page. */
function fakeContainer(claims = true) {
  const listeners = new Set<() => void>();
  const container = {
    controller: null as object | null,
    register: vi.fn(async () => {
      if (claims)
        setTimeout(() => {
          container.controller = {};
          for (const l of listeners) l();
        }, 5);
      return { installing: {}, waiting: null, active: null };
    }),
    getRegistration: vi.fn(async () => undefined),
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  return container;
}

describe('setupIsolation', () => {
  const run = (win: ReturnType<typeof fakeWindow>, timeout = 1000) => setupIsolation(win as unknown as Window, '/', timeout);

  it('no service worker API: a no-op that publishes the state and continues', async () => {
    const win = fakeWindow({});
    expect(await run(win)).toBe('continue');
    expect(win.location.reload).not.toHaveBeenCalled();
    expect(win.__isolation).toMatchObject({ isolated: false, via: 'none' });
    expect(win.document.documentElement.dataset.isolation).toBe('none');
  });

  it('isolated by headers: registers /sw.js, never reloads, continues at once', async () => {
    const sw = fakeContainer();
    const win = fakeWindow({ isolated: true, sw });
    expect(await run(win)).toBe('continue');
    expect(sw.register).toHaveBeenCalledWith('https://a.example/sw.js', { scope: 'https://a.example/' });
    expect(win.location.reload).not.toHaveBeenCalled();
    expect(win.document.documentElement.dataset.isolation).toBe('headers');
  });

  it('first visit on a static host: waits for the worker to claim the page, sets the flag, reloads once', async () => {
    const sw = fakeContainer();
    const storage = new Map<string, string>();
    const win = fakeWindow({ sw, storage });
    expect(await run(win)).toBe('reloading');
    expect(win.location.reload).toHaveBeenCalledTimes(1);
    expect(storage.get(RELOAD_FLAG_KEY)).toBe('1');

    // The reloaded page is still not isolated (say the browser refuses): no second reload.
    const again = fakeWindow({ sw, storage });
    expect(await run(again)).toBe('continue');
    expect(again.location.reload).not.toHaveBeenCalled();
    expect(again.__isolation).toMatchObject({ isolated: false, via: 'none' });
  });

  it('clears the flag once the page is isolated', async () => {
    const storage = new Map([[RELOAD_FLAG_KEY, '1']]);
    await run(fakeWindow({ isolated: true, sw: fakeContainer(), storage }));
    expect(storage.has(RELOAD_FLAG_KEY)).toBe(false);
  });

  it('gives up (and continues) when the worker never takes control', async () => {
    const win = fakeWindow({ sw: fakeContainer(false) });
    expect(await run(win, 30)).toBe('continue');
    expect(win.location.reload).not.toHaveBeenCalled();
    expect(win.__isolation?.reason).toMatch(/did not take control/);
  });

  it('without sessionStorage it never reloads', async () => {
    const win = fakeWindow({ sw: fakeContainer(), storage: null });
    expect(await run(win)).toBe('continue');
    expect(win.location.reload).not.toHaveBeenCalled();
  });

  it('?sw=0: does not register, unregisters, continues', async () => {
    const sw = fakeContainer();
    const win = fakeWindow({ sw, search: '?sw=0&threads=2' });
    expect(await run(win)).toBe('continue');
    expect(sw.register).not.toHaveBeenCalled();
    expect(sw.getRegistration).toHaveBeenCalled();
    expect(win.location.reload).not.toHaveBeenCalled();
  });
});
