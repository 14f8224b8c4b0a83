/** The URL parameters of the test contract (GUIDE.md §2), parsed once. */
import type { WasmBuildChoice } from '$workers/lib/engine/wasm-build';
import type { BackendChoice } from '$workers/lib/engine/backend';
import type { EngineName } from '$workers/lib/engine/engine-choice';

export type PanelName = 'storage' | 'template' | 'settings';

export interface UrlParams {
  model: string | null;
  /** null when absent: the saved preference (or auto) applies. */
  backend: BackendChoice | null;
  /** Forces a llama.cpp wasm build (default or compat); null: chosen by the browser's features. */
  build: WasmBuildChoice | null;
  /** Forces an engine on the CPU (the own llama.cpp build or wllama); null: the app chooses. */
  engine: EngineName | null;
  threads: number | undefined;
  ctx: number | undefined;
  /** Prompt tokens per llama_decode (n_batch = n_ubatch; the bench's sweep); undefined: the engine's default. */
  batch: number | undefined;
  panel: PanelName | null;
  /** Download tuning (tests and benchmarks): chunk size in bytes, parallel requests, first retry wait in ms. */
  chunk: number | undefined;
  parallel: number | undefined;
  retry: number | undefined;
}

const positiveInt = (v: string | null): number | undefined => {
  if (v === null || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
};

export function parseUrlParams(search: string): UrlParams {
  const q = new URLSearchParams(search);
  const backend = q.get('backend');
  const panel = q.get('panel');
  const build = q.get('build');
  const engine = q.get('engine');
  return {
    model: q.get('model') || null,
    backend: backend === 'cpu' || backend === 'webgpu' || backend === 'auto' ? backend : null,
    build: build === 'default' || build === 'compat' ? build : null,
    engine: engine === 'own' || engine === 'wllama' ? engine : null,
    threads: positiveInt(q.get('threads')),
    ctx: positiveInt(q.get('ctx')),
    batch: positiveInt(q.get('batch')),
    panel: panel === 'storage' || panel === 'template' || panel === 'settings' ? panel : null,
    chunk: positiveInt(q.get('chunk')),
    parallel: positiveInt(q.get('parallel')),
    retry: positiveInt(q.get('retry')),
  };
}
