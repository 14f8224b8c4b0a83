/**
 * The own engine's Emscripten module (engine/starling_engine.cpp, built by tools/build-engine.ts): its
 * C API as the worker calls it, and how one instance is started.
 */

/** The subset of Emscripten's FS the engine uses: WORKERFS mounts Blobs, read synchronously in a worker. */
export interface EmscriptenFs {
  mkdir(path: string): void;
  mount(type: unknown, opts: { blobs: { name: string; data: Blob }[] }, mountpoint: string): void;
  unmount(mountpoint: string): void;
  rmdir(path: string): void;
  filesystems: Record<string, unknown>;
}

export interface OwnModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  FS: EmscriptenFs;
  /** The threaded build only. */
  PThread?: { terminateAllThreads(): void };
  UTF8ToString(ptr: number, max?: number): string;
  stringToUTF8(s: string, ptr: number, max: number): void;
  lengthBytesUTF8(s: string): number;
  _malloc(n: number): number;
  _free(ptr: number): void;
  _se_init(): void;
  _se_load(path: number, nCtx: number, nThreads: number, maxThreads: number, nBatch: number, overrides: number): number;
  _se_free(): void;
  _se_set_threads(n: number): number;
  _se_n_ctx(): number;
  _se_n_vocab(): number;
  _se_bos(): number;
  _se_eos(): number;
  _se_eot(): number;
  _se_is_eog(token: number): number;
  _se_chat_template(): number;
  _se_meta_count(): number;
  _se_meta_key(i: number, buf: number, size: number): number;
  _se_meta_val(i: number, buf: number, size: number): number;
  _se_piece(token: number, buf: number, size: number): number;
  _se_detokenize(ids: number, n: number, buf: number, size: number): number;
  _se_prompt_begin(ids: number, n: number): number;
  _se_prompt_step(): number;
  _se_sampler(temp: number, topK: number, topP: number, seed: number, repeat: number, freq: number, presence: number, lastN: number): void;
  _se_sample(): number;
  _se_feed(token: number): number;
  _se_n_cached(): number;
  _se_heap_used(): number;
  _se_reserve(bytes: number): number;
  _se_matmul_seconds(type: number, rows: number, cols: number, nTokens: number, nMats: number, nThreads: number, reps: number): number;
}

/** The built files' URLs (virtual:own-engine). */
export interface OwnEngineFiles {
  js: string;
  wasm: string;
  worker: string;
  /** The build without threads (no SharedArrayBuffer needed). */
  stJs: string;
  stWasm: string;
  key: string;
  llamaCpp: string;
}

type Factory = (opts: Record<string, unknown>) => Promise<OwnModule>;

/** Whether this worker can run the threaded build (it needs SharedArrayBuffer, so cross-origin isolation). */
export const canThread = (): boolean => self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined';

/** Each build's compiled module, by URL: compiled once per engine worker (compileOwnWasm). */
const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Fetches and compiles one build's wasm, once per engine worker: every instance (each load, the
 * calibration) is made from the same compiled module, so a later load skips the fetch and the compile
 * and keeps the code the browser has optimized since. The engine worker starts it as soon as it starts
 * (compileOwnWasmEarly), so a first visit's wasm arrives while the model downloads, not after it. A
 * host that serves .wasm under another type than application/wasm gets the non-streaming compile.
 */
export function compileOwnWasm(url: string): Promise<WebAssembly.Module> {
  let p = compiled.get(url);
  if (!p) {
    p = (async () => {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`the engine's wasm (${url}) answered HTTP ${res.status}`);
      try {
        return await WebAssembly.compileStreaming(res.clone());
      } catch {
        return WebAssembly.compile(await res.arrayBuffer());
      }
    })();
    // A failed fetch or compile is tried again by the next instance.
    p.catch(() => compiled.delete(url));
    compiled.set(url, p);
  }
  return p;
}

const abs = (u: string): string => new URL(u, self.location.href).href;

/** The URL of the build this worker runs (threaded where SharedArrayBuffer exists). */
const wasmUrl = (files: OwnEngineFiles): string => abs(canThread() ? files.wasm : files.stWasm);

/** Starts compileOwnWasm for this worker's build; a failure shows at the load that needs it. */
export function compileOwnWasmEarly(files: OwnEngineFiles): void {
  compileOwnWasm(wasmUrl(files)).catch(() => {});
}

/**
 * A new instance: the threaded build with `pool` pthread workers started (llama.cpp's threads besides
 * the caller's) where SharedArrayBuffer exists, else the single-threaded build. Each load gets its own
 * instance, so a failed load leaves the previous model untouched and an unloaded model's 4 GB address
 * space goes with it.
 */
export async function startOwnModule(files: OwnEngineFiles, pool: number, log: (line: string) => void): Promise<OwnModule> {
  const js = abs(canThread() ? files.js : files.stJs);
  const { default: create } = (await import(/* @vite-ignore */ js)) as { default: Factory };
  const module = await compileOwnWasm(wasmUrl(files));
  // Emscripten calls instantiateWasm and waits for receive(); an instantiation that fails rejects here.
  let failed: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const m = await Promise.race([
    failure,
    create({
      threadPool: pool,
      instantiateWasm: (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
        WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module), failed);
        return {};
      },
      // Emscripten's pthread workers import the engine's JS by this URL (not ours: we are its importer).
      mainScriptUrlOrBlob: js,
      // The pthread workers' script; the wasm itself comes from compileOwnWasm (instantiateWasm above).
      locateFile: (name: string) => abs(name === 'starling-engine.worker.js' ? files.worker : name),
      print: log,
      printErr: log,
    }),
  ]);
  m._se_init();
  return m;
}

/**
 * How far above the memory planner's figure the heap is grown before a load: malloc took 2-3% more
 * than it on the 134M and 4-layer test models (and 1% less on the 7B-shaped one), so 5%, but at most
 * 64 MB on a large model.
 */
export const reserveFor = (planned: number): number => Math.min(planned * 1.05, planned + (64 << 20));

/**
 * Grows a threaded instance's shared memory to `bytes` before the load (se_reserve), then has
 * Emscripten's JavaScript re-read its size (its views of the heap are renewed on the next access
 * that checks, here a write of one byte). Returns the memory's size, or null where it was left as it
 * was (the single-threaded build, whose memory is not shared).
 */
export function reserveHeap(m: OwnModule, bytes: number): number | null {
  if (typeof SharedArrayBuffer === 'undefined' || !(m.HEAPU8.buffer instanceof SharedArrayBuffer)) return null;
  const size = m._se_reserve(bytes);
  const p = m._malloc(1);
  m.stringToUTF8('', p, 1);
  m._free(p);
  return size;
}
