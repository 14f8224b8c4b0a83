/**
 * Engine preferences kept in localStorage: the user's backend, GPU-layer and thread choices, and the
 * thread count measured fastest per model on this machine (so the measurement runs once).
 */
import type { WasmBuildChoice } from '$workers/lib/engine/wasm-build';
import type { EngineName } from '$workers/lib/engine/engine-choice';
import type { BackendChoice } from '$workers/lib/engine/backend';
import type { LoadConfig } from '$workers/lib/engine/types';
import { readPref, writePref } from './local-prefs';
import { MIN_CTX } from './settings';

/** A saved context above this is not a real setting (the largest trained contexts are around a million). */
const MAX_SAVED_CTX = 1 << 20;

export interface EnginePrefs {
  backend: BackendChoice;
  /** undefined: all layers on the GPU. */
  gpuLayers?: number;
  /** undefined: measure. */
  threads?: number;
  /** Context size in tokens (the Settings panel); undefined: DEFAULT_CTX. The address's `ctx=` wins. */
  ctx?: number;
}

const count = (v: unknown, min: number): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 10000 ? v : undefined;

export function loadPrefs(): EnginePrefs {
  const saved = (readPref('engine') as Partial<EnginePrefs> | null) ?? {};
  const backend = saved.backend === 'cpu' || saved.backend === 'webgpu' ? saved.backend : 'auto';
  const ctx = typeof saved.ctx === 'number' && Number.isInteger(saved.ctx) && saved.ctx >= MIN_CTX && saved.ctx <= MAX_SAVED_CTX ? saved.ctx : undefined;
  return { backend, gpuLayers: count(saved.gpuLayers, 0), threads: count(saved.threads, 1), ctx };
}

export function savePrefs(p: EnginePrefs): void {
  writePref('engine', p);
}

/**
 * A machine is told apart by what the page can see: core count and browser build. A new browser
 * version or another machine measures again.
 */
export function machineKey(nav: { hardwareConcurrency?: number; userAgent?: string } = globalThis.navigator ?? {}): string {
  return `${nav.hardwareConcurrency ?? 0}|${nav.userAgent ?? ''}`;
}

type ThreadMemory = Record<string, { threads: number; at: number }>;
const memoryKey = (modelId: string, machine: string): string => `${machine}|${modelId}`;

export function rememberedThreads(modelId: string, machine = machineKey()): number | undefined {
  return count((readPref('threads') as ThreadMemory | null)?.[memoryKey(modelId, machine)]?.threads, 1);
}

export function rememberThreads(modelId: string, threads: number, machine = machineKey()): void {
  const all = (readPref('threads') as ThreadMemory | null) ?? {};
  all[memoryKey(modelId, machine)] = { threads, at: Date.now() };
  writePref('threads', all);
}

export function forgetThreads(): void {
  writePref('threads', {});
}

/** The load config: URL parameters win over saved preferences (the remembered thread count is added at load). */
export function buildLoadConfig(
  url: { backend: BackendChoice | null; threads?: number; ctx: number; batch?: number; build?: WasmBuildChoice | null; engine?: EngineName | null },
  prefs: EnginePrefs,
): LoadConfig {
  // ?build= names one of wllama's builds, so it asks for wllama unless ?engine= says otherwise.
  const engine = url.engine ?? (url.build ? 'wllama' : 'auto');
  return { backend: url.backend ?? prefs.backend, threads: url.threads ?? prefs.threads, ctx: url.ctx, batch: url.batch, gpuLayers: prefs.gpuLayers, build: url.build ?? 'auto', engine };
}
