/**
 * Which llama.cpp WebAssembly build runs: wllama's default build needs JSPI and memory64 (Chromium;
 * Firefox runs its CPU path without JSPI); the compat build (@wllama/wllama-compat: wasm32 with
 * Asyncify) runs where they are missing (Safari's engine). Both are served by the app itself, never
 * from a CDN, so the app works offline and on a LAN.
 */
/** wllama's two builds, and 'own': the project's own engine (own/own-host.ts), which has one. */
export type WasmBuild = 'default' | 'compat' | 'own';
export type WasmBuildChoice = 'default' | 'compat' | 'auto';

export interface WasmFeatures {
  jspi: boolean;
  memory64: boolean;
  /** Firefox runs the default build's CPU path without JSPI; wllama keeps compat off there (it is slow). */
  firefox: boolean;
}

/** The parts of the WebAssembly namespace the probes read (a fake one in unit tests). */
export interface WasmApi {
  Memory: new (descriptor: { address: 'i64'; initial: bigint }) => unknown;
  Suspending?: unknown;
}

/**
 * The features as wllama itself tests them (@wllama/wllama 3.8, src/utils.ts: isSupportMem64,
 * isSupportJSPI, isFirefox), so the build chosen here is the one wllama runs: wllama switches to the
 * compat assets given to setCompat when `!isSupportJSPI() || !isSupportMem64()`, and its default
 * build creates its memory as `new WebAssembly.Memory({address: 'i64', ...})`.
 *
 * memory64 is therefore that constructor call, not `WebAssembly.validate` of a memory64 module: an
 * engine can decode memory64 modules before its JS API takes `address: 'i64'` with BigInt sizes
 * (V8 before 13.x names it `index`; Node 20 with --experimental-wasm-memory64 validates the module
 * and refuses the descriptor). There, validate said yes while wllama saw no memory64.
 */
export function wasmFeatures(wasm: WasmApi = WebAssembly as unknown as WasmApi, userAgent = globalThis.navigator?.userAgent ?? ''): WasmFeatures {
  let memory64: boolean;
  try {
    new wasm.Memory({ address: 'i64', initial: BigInt(1) }); // one 64 KiB page
    memory64 = true;
  } catch {
    memory64 = false;
  }
  return {
    jspi: !!wasm.Suspending,
    memory64,
    firefox: /Firefox\/([0-9.]+)(?:\s|$)/.test(userAgent),
  };
}

/** The build for these features and the user's choice, with why (shown in Settings and gen-stats). */
export function chooseWasmBuild(choice: WasmBuildChoice, f: WasmFeatures): { build: 'default' | 'compat'; reason: string } {
  if (choice === 'compat') return { build: 'compat', reason: 'compat build chosen (?build=compat): wasm32 with Asyncify, slower.' };
  const missing = [!f.jspi && 'JSPI', !f.memory64 && 'memory64'].filter((x): x is string => typeof x === 'string');
  if (choice === 'default') return { build: 'default', reason: `default build chosen (?build=default)${missing.length ? `, although this browser lacks ${missing.join(' and ')}` : ''}.` };
  if (missing.length === 0) return { build: 'default', reason: 'default build: this browser has JSPI and memory64.' };
  if (f.firefox && f.memory64) return { build: 'default', reason: 'default build: Firefox runs its CPU path without JSPI (the compat build would be slower).' };
  return { build: 'compat', reason: `compat build: this browser lacks ${missing.join(' and ')}, which the default build needs.` };
}
