/**
 * The speed forecast's calibration, kept per device and browser build: measured once in the engine
 * worker (a few seconds), saved in localStorage, measured again on request or when the browser, the
 * engine build (its kernels set the figures) or the thread count changed. The catalogue turns it into tok/s per file (planner/speed-forecast.ts).
 */
import { calibrationFits, type SpeedCalibration } from '$workers/lib/planner/speed-forecast';
import type { EngineApi } from '../engine/engine-client';
import { readPref, writePref } from '../local-prefs';

function isCalibration(v: unknown): v is SpeedCalibration {
  const c = v as SpeedCalibration | null;
  return (
    !!c && c.engine === 'own' && Number.isInteger(c.threads) && typeof c.browser === 'string' && typeof c.build === 'string' && typeof c.types === 'object' && c.types !== null &&
    Object.values(c.types).every((r) => r && Number.isFinite(r.genBytesPerSec) && r.genBytesPerSec > 0 && Number.isFinite(r.promptBytesTokensPerSec) && r.promptBytesTokensPerSec > 0)
  );
}

export class SpeedState {
  calibration = $state.raw<SpeedCalibration | null>(null);
  running = $state(false);
  error = $state<string | null>(null);
  readonly browser: string;
  /** The own engine's build key (virtual:own-engine-key), '' without one. */
  readonly build: string;

  constructor(build: string, browser = typeof navigator === 'undefined' ? '' : navigator.userAgent) {
    this.build = build;
    this.browser = browser;
    const saved = readPref('speed');
    if (isCalibration(saved)) this.calibration = saved;
  }

  /** The saved calibration when it stands for this browser at `threads`. */
  current(threads: number): SpeedCalibration | null {
    return calibrationFits(this.calibration, this.browser, threads, this.build) ? this.calibration : null;
  }

  /** Calibrates unless a fitting one is kept (always with `again`); errors are kept to show, never thrown. */
  async ensure(engine: EngineApi, threads: number, again = false): Promise<void> {
    if (this.running || (!again && this.current(threads)) || !engine.calibrate) return;
    this.running = true;
    this.error = null;
    try {
      this.calibration = await engine.calibrate(threads, this.browser);
      writePref('speed', this.calibration);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.running = false;
    }
  }
}
