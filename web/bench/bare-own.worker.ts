/// <reference lib="webworker" />
/**
 * The own engine with nothing of the app around it: the model fetched into a Blob, mounted with
 * WORKERFS, loaded, the given prompt ids evaluated in n_batch steps, then greedy tokens sampled and fed
 * back in a tight loop (no yields, no text decoding, no messages per token). What the app adds on top
 * (its worker protocol, streaming, the page) is the difference the benchmark prints.
 */
import { ownEngine } from 'virtual:own-engine';
import { startOwnModule, type OwnModule } from '$workers/lib/engine/own/module';

export interface BareOwnJob {
  model: string;
  ids: number[];
  n: number;
  threads: number;
  ctx: number;
  batch: number;
}

export interface BareOwnResult {
  fetchMs: number;
  loadMs: number;
  ttftMs: number;
  threads: number;
  prompt_n: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_per_second: number;
}

export type BareOwnReply = { type: 'loaded' } | { type: 'generating' } | { type: 'done'; result: BareOwnResult } | { type: 'error'; error: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (r: BareOwnReply): void => scope.postMessage(r);

function cString(m: OwnModule, s: string): number {
  const n = m.lengthBytesUTF8(s) + 1;
  const ptr = m._malloc(n);
  m.stringToUTF8(s, ptr, n);
  return ptr;
}

async function run(j: BareOwnJob): Promise<BareOwnResult> {
  if (!ownEngine) throw new Error('this build of the app has no own engine (built without emcc)');
  const f0 = performance.now();
  const blob = await (await fetch(j.model)).blob();
  const fetchMs = performance.now() - f0;
  const t0 = performance.now();
  const m = await startOwnModule(ownEngine, Math.max(1, j.threads - 1), () => {});
  m.FS.mkdir('/m');
  m.FS.mount(m.FS.filesystems.WORKERFS, { blobs: [{ name: 'model.gguf', data: blob }] }, '/m');
  const path = cString(m, '/m/model.gguf');
  const overrides = cString(m, '');
  const rc = m._se_load(path, j.ctx, j.threads, j.threads, j.batch, overrides);
  if (rc !== 0) throw new Error(`se_load returned ${rc}`);
  // The pool's threads start from messages to their pthread workers: give them a turn (as OwnHost does).
  await new Promise((r) => setTimeout(r, 10));
  const loadMs = performance.now() - t0;
  post({ type: 'loaded' });

  const ids = m._malloc(Math.max(4, j.ids.length * 4));
  m.HEAP32.set(j.ids, ids >> 2);
  const tPrompt = performance.now();
  const cached = m._se_prompt_begin(ids, j.ids.length);
  m._free(ids);
  if (cached < 0) throw new Error('the prompt does not fit the context');
  for (let left = j.ids.length - cached; left > 0; ) {
    left = m._se_prompt_step();
    if (left < 0) throw new Error(`llama_decode returned ${-left} on the prompt`);
  }
  const promptMs = performance.now() - tPrompt;
  // Greedy, with the app's defaults for the rest (settings.ts), which temperature 0 leaves unused.
  m._se_sampler(0, 40, 0.95, 0, 1, 0, 0, 64);
  // The page marks the start of generation (the bench measures the CPU used beside the engine from here).
  post({ type: 'generating' });
  const tGen = performance.now();
  let ttftMs = -1;
  let generated = 0;
  // As the app counts: n tokens sampled, the last one not fed back.
  while (generated < j.n) {
    const token = m._se_sample();
    if (token < 0) throw new Error('llama.cpp could not sample a token');
    if (generated === 0) ttftMs = performance.now() - tPrompt;
    generated++;
    if (generated >= j.n) break;
    const fed = m._se_feed(token);
    if (fed !== 0) throw new Error(`feeding a token returned ${fed}`);
  }
  const predictedMs = performance.now() - tGen;
  const result: BareOwnResult = {
    fetchMs,
    loadMs,
    ttftMs,
    threads: j.threads,
    prompt_n: j.ids.length - cached,
    prompt_per_second: ((j.ids.length - cached) * 1000) / promptMs,
    predicted_n: generated,
    predicted_per_second: (generated * 1000) / predictedMs,
  };
  m._se_free();
  m.PThread?.terminateAllThreads();
  return result;
}

scope.onmessage = (ev: MessageEvent<BareOwnJob>) => {
  run(ev.data).then(
    (result) => post({ type: 'done', result }),
    (e: unknown) => post({ type: 'error', error: e instanceof Error ? e.message : String(e) }),
  );
};
