/**
 * Generation settings the user can change, kept in localStorage between visits when storage is
 * allowed (storage-access.ts: a blocked store throws on access; the settings then last this visit).
 */
import type { GenerateParams } from '$workers/lib/engine/types';
import { DEFAULT_PARALLEL } from '$workers/lib/download/defaults';
import { clampParam, DEFAULT_PARAMS, PARAM_RANGES } from '../settings';
import { loadPrefs, savePrefs, type EnginePrefs } from '../engine-prefs';
import { readPref, writePref } from '../local-prefs';

function load(): GenerateParams {
  const saved = readPref('settings') as Partial<GenerateParams> | null;
  if (!saved || typeof saved !== 'object') return { ...DEFAULT_PARAMS };
  const out: GenerateParams = { ...DEFAULT_PARAMS };
  for (const k of Object.keys(PARAM_RANGES) as (keyof typeof PARAM_RANGES)[]) {
    if (typeof saved[k] === 'number') out[k] = clampParam(k, saved[k]);
  }
  if (typeof saved.seed === 'number' && Number.isInteger(saved.seed) && saved.seed > 0) out.seed = saved.seed;
  return out;
}

function loadParallel(): number {
  // Stored as a bare number, which reads back as JSON.
  const n = readPref('downloads');
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8 ? n : DEFAULT_PARALLEL;
}

export class SettingsState {
  params = $state<GenerateParams>(load());
  /** Chunk requests a download runs at a time. */
  parallelDownloads = $state(loadParallel());
  /** Backend, GPU layers and threads; they apply at the next model load. */
  engine = $state<EnginePrefs>(loadPrefs());

  setEngine(patch: Partial<EnginePrefs>): void {
    this.engine = { ...this.engine, ...patch };
    savePrefs($state.snapshot(this.engine));
  }

  setParallel(n: number): void {
    this.parallelDownloads = Math.min(8, Math.max(1, Math.round(Number.isFinite(n) ? n : DEFAULT_PARALLEL)));
    writePref('downloads', this.parallelDownloads);
  }

  set(key: keyof typeof PARAM_RANGES, value: number): void {
    this.params[key] = clampParam(key, value);
    this.save();
  }

  setSeed(value: number | undefined): void {
    this.params.seed = value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
    this.save();
  }

  reset(): void {
    this.params = { ...DEFAULT_PARAMS };
    this.save();
  }

  private save(): void {
    // false when storage is blocked or full: the settings then last for this visit
    writePref('settings', $state.snapshot(this.params));
  }
}
