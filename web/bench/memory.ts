/**
 * Calibration probe for the memory planner: loads a model with bare wllama (CPU) and reports how much
 * WebAssembly memory llama.cpp used, with llama.cpp's own buffer-size log lines.
 * Query: model=<url>&ctx=<n>&threads=<n>&n=<tokens>[&ubatch=<n>][&slack=1][&first=<n>&more=<n>,<n>…][&idle=0|1]
 * (first, more: repeat counts of unrelated prompts, to see what llama-server's prompt cache keeps;
 * idle: wllama's cache_idle_slots).
 * Writes window.__memory.
 *
 * The wasm memory lives inside wllama's worker, out of the page's reach, so the probe edits the worker
 * source as wllama creates it (wllama builds the worker from one string through `new Blob`): a prelude
 * keeps every WebAssembly.Memory the worker creates, and a hook in emscripten's heap resize records
 * the largest heap size llama.cpp asked for, and growth is made exact (see EXACT_GROW), so the
 * memory's byteLength is the peak malloc top: the quantity emscripten checks against its 4 GiB
 * maximum. The worker answers on a BroadcastChannel.
 */
import { CacheManager, Wllama } from '@wllama/wllama/esm/index.js';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { noWllamaStorage } from '$workers/lib/engine/no-wllama-storage';

const CHANNEL = 'wasm-memory-probe';

interface WorkerMemory {
  byteLength: number;
  maximumPages: string;
  maxRequested: number;
  grows: number;
  memories: number;
}

const PRELUDE = `
self.__probe = { memories: [], maxRequested: 0, grows: 0 };
{
  const Original = WebAssembly.Memory;
  const Recorded = function (desc) {
    const m = new Original(desc);
    self.__probe.memories.push({ m, maximum: String(desc.maximum) });
    return m;
  };
  Recorded.prototype = Original.prototype;
  WebAssembly.Memory = Recorded;
  const channel = new BroadcastChannel(${JSON.stringify(CHANNEL)});
  channel.onmessage = () => {
    const last = self.__probe.memories[self.__probe.memories.length - 1];
    channel.postMessage({
      byteLength: last ? last.m.buffer.byteLength : 0,
      maximumPages: last ? last.maximum : '',
      maxRequested: self.__probe.maxRequested,
      grows: self.__probe.grows,
      memories: self.__probe.memories.length,
    });
  };
}
`;

const RESIZE = 'requestedSize=bigintToI53Checked(requestedSize);';
const RESIZE_HOOK = `${RESIZE}self.__probe.maxRequested=Math.max(self.__probe.maxRequested,requestedSize);self.__probe.grows++;`;
// emscripten over-grows the heap (20%, at most 96 MiB) to grow less often; later mallocs then fit in
// the slack unseen. Growing to exactly the request makes byteLength the peak malloc top (64 KiB pages).
const OVERGROW = 'var overGrownHeapSize=oldSize*(1+.2/cutDown);';
const EXACT_GROW = 'var overGrownHeapSize=0;';

/** Rewrites wllama's worker source (and only it) as wllama turns it into a Blob. */
function hookWorkerSource(exactGrowth: boolean): void {
  const Original = globalThis.Blob;
  class ProbedBlob extends Original {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      const first = parts?.[0];
      if (parts && typeof first === 'string' && first.startsWith('const RUN_OPTIONS')) {
        if (!first.includes(RESIZE) || !first.includes(OVERGROW)) throw new Error('wllama worker source changed: heap resize hook not found');
        let code = first.replace(RESIZE, RESIZE_HOOK);
        if (exactGrowth) code = code.replace(OVERGROW, EXACT_GROW);
        parts = [PRELUDE, code, ...parts.slice(1)];
      }
      super(parts, options);
    }
  }
  globalThis.Blob = ProbedBlob;
}

function askWorker(): Promise<WorkerMemory> {
  const channel = new BroadcastChannel(CHANNEL);
  return new Promise<WorkerMemory>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the wllama worker did not answer the memory probe')), 10_000);
    channel.onmessage = (e: MessageEvent<WorkerMemory>) => {
      clearTimeout(timer);
      channel.close();
      resolve(e.data);
    };
    channel.postMessage('probe');
  });
}

const q = new URLSearchParams(location.search);
const out = document.getElementById('out')!;
// llama.cpp's own accounting, e.g. "llama_kv_cache:        CPU KV buffer size =    64.00 MiB".
const BUFFER_LINE = /(\w+)\s*:\s+(\S+) (model|KV|compute|output) buffer size =\s*([\d.]+) MiB/;

async function run(): Promise<Record<string, unknown>> {
  // slack=1 keeps emscripten's growth policy (what users get); the default measures the exact peak.
  hookWorkerSource(q.get('slack') !== '1');
  const logs: string[] = [];
  const keep = (...args: unknown[]) => logs.push(args.map(String).join(' '));
  const blob = await (await fetch(q.get('model')!)).blob();
  const w = new Wllama(
    { default: wasmUrl },
    { cacheManager: new CacheManager([noWllamaStorage]), logger: { debug: keep, log: keep, warn: keep, error: keep } },
  );
  const ctx = Number(q.get('ctx') ?? 1024);
  const t0 = performance.now();
  let loadError: string | null = null;
  try {
    await w.loadModel([blob], {
      n_ctx: ctx,
      n_threads: Number(q.get('threads') ?? 1),
      n_gpu_layers: 0,
      n_parallel: 1, // as the app loads models (workers/lib/engine/wllama-host.ts)
      ...(q.get('idle') ? { cache_idle_slots: q.get('idle') === '1' } : {}),
      ...(q.get('ubatch') ? { n_ubatch: Number(q.get('ubatch')), n_batch: Number(q.get('ubatch')) } : {}),
    });
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
  }
  const loadMs = performance.now() - t0;
  const afterLoad = await askWorker().catch((e: unknown) => ({ error: String(e) }));
  let afterGenerate: WorkerMemory | { error: string } | null = null;
  let generateError: string | null = null;
  const afterMore: (WorkerMemory | { error: string })[] = [];
  if (!loadError) {
    try {
      await w.createCompletion({
        prompt: q.get('first')
          ? 'The first topic. '.repeat(Number(q.get('first')))
          : 'GPT4 Correct User: Tell me about the memory a language model needs in a browser.<|end_of_turn|>GPT4 Correct Assistant:',
        max_tokens: Number(q.get('n') ?? 4),
        temperature: 0,
        ...({ ignore_eos: true } as object),
      });
    } catch (e) {
      generateError = e instanceof Error ? e.message : String(e);
    }
    afterGenerate = await askWorker().catch((e: unknown) => ({ error: String(e) }));
    // More unrelated prompts: llama-server may keep earlier prompts' KV state in its prompt cache.
    const more = (q.get('more') ?? '').split(',').filter(Boolean).map(Number);
    for (const [i, repeats] of more.entries()) {
      await w.createCompletion({ prompt: `Topic number ${i + 2}. `.repeat(repeats), max_tokens: 2, temperature: 0 });
      afterMore.push(await askWorker().catch((e: unknown) => ({ error: String(e) })));
    }
  }
  const buffers: { component: string; device: string; mib: number }[] = [];
  for (const line of logs) {
    const m = BUFFER_LINE.exec(line);
    if (m) buffers.push({ component: m[3], device: m[2], mib: Number(m[4]) });
  }
  const nCtxLine = logs.find((l) => /n_ctx\s+=/.test(l)) ?? null;
  return {
    ctx,
    loadError,
    generateError,
    loadMs,
    afterLoad,
    afterGenerate,
    afterMore,
    buffers,
    nCtxLine,
    lastLogs: loadError || generateError ? logs.slice(-25) : [],
    interesting: logs.filter((l) => /buffer size|n_ctx|n_ubatch|n_batch|flash|attn|failed|error|alloc|graph|reserve|output/i.test(l)).slice(0, 60),
  };
}

run()
  .then((r) => {
    (window as unknown as { __memory: unknown }).__memory = r;
    out.textContent = JSON.stringify(r, null, 2);
  })
  .catch((e: unknown) => {
    (window as unknown as { __memory: unknown }).__memory = { error: String(e) };
    out.textContent = String(e);
  });
