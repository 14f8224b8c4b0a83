import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SpeedCalibration } from '../../workers/lib/planner/speed-forecast';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { SpeedState } from '../../web/src/lib/state/speed.svelte';
import type { EngineApi } from '../../web/src/lib/engine/engine-client';

const saved = (over: Partial<SpeedCalibration> = {}): Record<string, unknown> => ({
  engine: 'own',
  threads: 2,
  browser: 'UA',
  build: 'engine-a',
  at: 0,
  ms: 10,
  types: { Q8_0: { genBytesPerSec: 8e9, promptBytesTokensPerSec: 80e9 } },
  ...over,
});

/** An engine whose calibration is counted, answering for `build`. */
function engine(build: string): { api: EngineApi; runs: () => number } {
  let runs = 0;
  const calibrate = (threads: number, browser: string): Promise<SpeedCalibration> => {
    runs++;
    return Promise.resolve(saved({ threads, browser, build }) as unknown as SpeedCalibration);
  };
  return { api: { calibrate } as unknown as EngineApi, runs: () => runs };
}

describe('the kept speed calibration', () => {
  let store: Map<string, string>;
  beforeEach(() => {
    store = new Map();
    vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('stands for the engine build that measured it', async () => {
    store.set(PREF_KEYS.speed, JSON.stringify(saved()));
    const same = new SpeedState('engine-a', 'UA');
    expect(same.current(2)?.build).toBe('engine-a');
    const e = engine('engine-a');
    await same.ensure(e.api, 2);
    expect(e.runs()).toBe(0);
  });

  it('is measured again by a new engine build (its kernels change the figures)', async () => {
    store.set(PREF_KEYS.speed, JSON.stringify(saved()));
    const next = new SpeedState('engine-b', 'UA');
    expect(next.current(2)).toBeNull();
    const e = engine('engine-b');
    await next.ensure(e.api, 2);
    expect(e.runs()).toBe(1);
    expect(next.current(2)?.build).toBe('engine-b');
    expect(JSON.parse(store.get(PREF_KEYS.speed)!).build).toBe('engine-b');
  });

  it('does not take a figure saved before builds were recorded', () => {
    const old = saved();
    delete old.build;
    store.set(PREF_KEYS.speed, JSON.stringify(old));
    const s = new SpeedState('engine-a', 'UA');
    expect(s.calibration).toBeNull();
    expect(s.current(2)).toBeNull();
  });
});
