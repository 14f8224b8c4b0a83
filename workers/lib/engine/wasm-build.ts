/**
 * Which llama.cpp WebAssembly build runs: wllama's default build needs JSPI and memory64 (Chromium;
 * Firefox runs its CPU path without JSPI); the compat build (@wllama/wllama-compat: wasm32 with
 * Asyncify) runs where they are missing (Safari's engine). Both are served by the app itself, never
 * from a CDN, so the app works offline and on a LAN.
 */
export type WasmBuild = 'default' | 'compat';
export type WasmBuildChoice = WasmBuild | 'auto';

export interface WasmFeatures {
  jspi: boolean;
  memory64: boolean;
  /** Firefox runs the default build's CPU path without JSPI; wllama keeps compat off there (it is slow). */
  firefox: boolean;
}

// A module holding one memory64 memory (limits flag 0x04): it validates only where memory64 exists.
const MEMORY64_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x04, 0x00]);

export function wasmFeatures(): WasmFeatures {
  let memory64: boolean;
  try {
    memory64 = WebAssembly.validate(MEMORY64_MODULE);
  } catch {
    memory64 = false;
  }
  return {
    jspi: typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function',
    memory64,
    firefox: /firefox/i.test(globalThis.navigator?.userAgent ?? ''),
  };
}

/** The build for these features and the user's choice, with why (shown in Settings and gen-stats). */
export function chooseWasmBuild(choice: WasmBuildChoice, f: WasmFeatures): { build: WasmBuild; reason: string } {
  if (choice === 'compat') return { build: 'compat', reason: 'compat build chosen (?build=compat): wasm32 with Asyncify, slower.' };
  const missing = [!f.jspi && 'JSPI', !f.memory64 && 'memory64'].filter((x): x is string => typeof x === 'string');
  if (choice === 'default') return { build: 'default', reason: `default build chosen (?build=default)${missing.length ? `, although this browser lacks ${missing.join(' and ')}` : ''}.` };
  if (missing.length === 0) return { build: 'default', reason: 'default build: this browser has JSPI and memory64.' };
  if (f.firefox && f.memory64) return { build: 'default', reason: 'default build: Firefox runs its CPU path without JSPI (the compat build would be slower).' };
  return { build: 'compat', reason: `compat build: this browser lacks ${missing.join(' and ')}, which the default build needs.` };
}
