/**
 * Every preference the app keeps in localStorage, named once, and read and written as JSON through
 * storage-access.ts (storage may be missing, blocked or full: a preference then lasts one visit).
 * The key strings must never change, or users' saved settings are lost. Not preferences, so not
 * here: storage-access.ts's probe key (removed as soon as written) and sw-register.ts's per-tab
 * sessionStorage reload guard.
 */
import { readLocal, writeLocal } from './storage-access';

export const PREF_KEYS = {
  /** The model last opened to Ready (its `?model=` spec or cache id): offline, `/` opens it again. */
  lastModel: 'starling-playground:last-model:v1',
  /** Sampling parameters (state/settings.svelte.ts). */
  settings: 'starling-playground:settings:v1',
  /** Streaming on/off and the app-wide default system prompt and template (state/settings.svelte.ts). */
  chat: 'starling-playground:chat-defaults:v1',
  /** Chunk requests a download runs at a time. */
  downloads: 'starling-playground:downloads:v1',
  /** Backend, GPU layers, threads and context size (engine-prefs.ts). */
  engine: 'starling-playground:engine:v1',
  /** The thread count measured fastest, per model and machine (engine-prefs.ts). */
  threads: 'starling-playground:threads:v1',
  /** The speed forecast's calibration on this device and browser (state/speed.svelte.ts). */
  speed: 'starling-playground:speed-calibration:v1',
} as const;

export type PrefName = keyof typeof PREF_KEYS;

/** The saved value, parsed; null when absent, unreadable or not JSON. Callers check its shape. */
export function readPref(name: PrefName): unknown {
  try {
    return JSON.parse(readLocal(PREF_KEYS[name]) ?? 'null') as unknown;
  } catch {
    return null; // not JSON
  }
}

/** Saves a value as JSON; false when storage is blocked or full. */
export function writePref(name: PrefName, value: unknown): boolean {
  return writeLocal(PREF_KEYS[name], JSON.stringify(value));
}
