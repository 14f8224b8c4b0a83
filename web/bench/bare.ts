/**
 * The benchmark's reference: wllama used directly on the main thread, the way its README shows, with
 * no app around it. Query: model=<url>&prompt=<text>&n=<tokens>&threads=<n>&ctx=<n>.
 * Writes its measurements to window.__bench (and the page) for the benchmark driver to read.
 */
import { CacheManager, Wllama } from '@wllama/wllama/esm/index.js';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { noWllamaStorage } from '$workers/lib/engine/no-wllama-storage';

const q = new URLSearchParams(location.search);
const out = document.getElementById('out')!;
async function run(): Promise<Record<string, unknown>> {
  const f0 = performance.now();
  const blob = await (await fetch(q.get('model')!)).blob();
  const fetchMs = performance.now() - f0;
  const threads = q.get('threads') ? Number(q.get('threads')) : undefined;
  const w = new Wllama({ default: wasmUrl }, { cacheManager: new CacheManager([noWllamaStorage]), suppressNativeLog: true });
  const t0 = performance.now();
  await w.loadModel([blob], { n_ctx: Number(q.get('ctx') ?? 1024), n_threads: threads, n_gpu_layers: 0, n_parallel: 1 });
  const loadMs = performance.now() - t0;
  // ms since navigation start: comparable with the app's navigation-to-ready time.
  const readyAt = performance.now();
  const t1 = performance.now();
  let ttftMs = -1;
  let timings: Record<string, number> = {};
  let last: unknown = null;
  await w.createCompletion({
    prompt: q.get('prompt') ?? 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:',
    max_tokens: Number(q.get('n') ?? 64),
    temperature: 0,
    stream: true,
    ...({ ignore_eos: q.get('eos') !== '1', verbose: q.get('verbose') === '1' } as object),
    onData: (c) => {
      if (ttftMs < 0 && c.choices?.[0]?.text) ttftMs = performance.now() - t1;
      if (c.timings) timings = c.timings as unknown as Record<string, number>;
      last = c;
    },
  });
  return { fetchMs, loadMs, readyAt, ttftMs, threads: w.getNumThreads(), ...timings, ...(q.get('verbose') === '1' ? { last } : {}) };
}

run()
  .then((r) => {
    (window as unknown as { __bench: unknown }).__bench = r;
    out.textContent = JSON.stringify(r, null, 2);
  })
  .catch((e: unknown) => {
    (window as unknown as { __bench: unknown }).__bench = { error: String(e) };
    out.textContent = String(e);
  });
