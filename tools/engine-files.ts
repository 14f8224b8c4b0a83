/** The own engine's build output (tools/build-engine.ts), as vite.config.ts and the bench read it. */
export const ENGINE_FILES = {
  js: 'starling-engine.js',
  wasm: 'starling-engine.wasm',
  /** Emscripten's pthread worker (a classic script that imports the engine's JS). */
  worker: 'starling-engine.worker.js',
  /** The build without threads, for pages without SharedArrayBuffer. */
  stJs: 'starling-engine-st.js',
  stWasm: 'starling-engine-st.wasm',
} as const;

export const ENGINE_MANIFEST = 'engine.json';

export interface EngineManifest {
  key: string;
  llamaCpp: { commit: string; release: unknown; from: string };
  emcc: string;
  variants: { id: 'mt' | 'st'; cmakeFlags: string[]; linkFlags: string[]; libraryMs: number; linkMs: number; wasmBytes: number }[];
  /** The threaded build's wasm. */
  wasmBytes: number;
}
