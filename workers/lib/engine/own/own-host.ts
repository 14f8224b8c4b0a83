/**
 * The project's own CPU engine (llama.cpp built for plain wasm32 + SIMD128 + pthreads): loads a model
 * from the cached Blobs (Emscripten's WORKERFS reads them in place, no model-sized copy), evaluates the
 * app's own token ids (so the prompt is exactly the app's tokenization), and samples with llama.cpp's
 * sampler chain. It runs in the engine worker itself; llama.cpp's threads are Emscripten's pthread
 * workers. Every C call is synchronous: the loops below return to the event loop between batches and
 * tokens, which is where a cancel or a heartbeat ping is answered.
 */
import { AppError } from '../../errors';
import type { PromptText } from '../../templates/index';
import { tokenize, type Vocab } from '../../tokenizer/index';
import type { Tokenization } from '../../tokenizer/prompt';
import { PromptMemo } from '../../tokenizer/prompt-memo';
import { LoadLog, loadFailedMessage } from '../load-log';
import { batchReason, OWN_BATCH } from '../batch';
import { LoadSteps } from '../load-steps';
import { profileModel } from '../model-profile';
import { decideThreads, describeProbes, fastest, PROBE_DEADLINE_MS, PROBE_TOKENS, type ThreadProbeResult } from '../threads';
import type { GenerateRequestOptions, GenerationResult, LoadConfig, LoadedModelInfo } from '../types';
import { canThread, reserveFor, reserveHeap, startOwnModule, type OwnEngineFiles, type OwnModule } from './module';
import { combineShardInfos, readHeaderInfo } from '../../planner/header-info';
import { planMemory } from '../../planner/memory-plan';
import { StopMatcher } from './stop-strings';
import { BlobReadError, readBlobsThroughHelper, skipEmptyReads, startReadHelper, windowSmallReads } from './blob-reads';

/** Tokens the repetition penalties look back over (llama-server's default). */
const PENALTY_LAST_N = 64;
const LOAD_CODES: Record<number, string> = {
  1: '(its metadata overrides were malformed)',
  2: '',
  3: '(it could not create a context; the context may be too large for memory)',
  4: "(llama.cpp's threads could not start)",
};
const PROBE_PROMPT = 'Measure how fast this machine runs the model: the quick brown fox jumps over the lazy dog.';

/** Back to the event loop, without setTimeout's 4 ms clamp (a MessageChannel task runs at once). */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldNow = (): Promise<void> =>
  new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
/**
 * How long generation runs between returns to the event loop, which is when a Stop or a heartbeat
 * ping is seen and the reply's pieces go to the page. A yield per token cost the app 16% of the
 * engine's generation speed at 2 threads on 2 cores (134M Q8_0: 43 against 51 tok/s on the bare page;
 * no loss at 1 thread): llama.cpp's pool thread stops spinning while this one is away and must be
 * woken for the next token, and each batch of pieces is a render of the page competing for the two
 * cores. At 50 ms the app still had 0.84 (Q8_0) and 0.89 (Q4_0) of the bare page's speed, at 250 ms
 * 0.91 and 0.94 (medians of 5, side by side); a Stop still ends the reply within a quarter second.
 */
const GEN_YIELD_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One started engine with one model in it. */
interface Loaded {
  m: OwnModule;
  mount: string;
  info: LoadedModelInfo;
  vocab: Vocab;
}

/** An Int32 array copied into the module's heap; free it with m._free. */
function heapIds(m: OwnModule, ids: readonly number[]): number {
  const ptr = m._malloc(Math.max(4, ids.length * 4));
  m.HEAP32.set(ids, ptr >> 2);
  return ptr;
}

/** A C function that writes text into a buffer and returns its length (or minus the length needed). */
function readText(m: OwnModule, write: (buf: number, size: number) => number, size = 256): Uint8Array {
  for (;;) {
    const buf = m._malloc(size);
    try {
      const n = write(buf, size);
      if (n >= 0 && n < size) return m.HEAPU8.slice(buf, buf + n);
      size = Math.max(size * 2, -n + 1);
    } finally {
      m._free(buf);
    }
  }
}

const utf8 = new TextDecoder();

export class OwnHost {
  private loaded: Loaded | null = null;
  private readonly prompts = new PromptMemo();
  private mounts = 0;

  /** Inside a synchronous engine call that may log (the model load). */
  private blocking = false;

  /** `busy`: tells the page that the worker blocks for a while (a load, a prompt batch; protocol.ts). */
  constructor(
    private readonly files: OwnEngineFiles,
    private readonly busy: () => void = () => {},
  ) {}

  /**
   * What to grow the heap to, once, before the load: the memory planner's figure for this model and
   * context (plus reserveFor's margin), so that the WebAssembly.Memory ends near what llama.cpp takes
   * rather than 20% or 96 MB beyond its last request. Null: growth as it was (a header the planner
   * cannot read, or the single-threaded build).
   */
  private async planned(files: Blob[], ctx: number): Promise<number | null> {
    if (!canThread()) return null; // the single-threaded build grows as before (reserveHeap)
    try {
      const facts = combineShardInfos(await Promise.all(files.map((f) => readHeaderInfo(f))));
      // At the planner's own batch size: at n_ubatch 256 its compute figure fell by half and llama.cpp's did not.
      return reserveFor(planMemory(facts, { ctx, backend: 'cpu' }).total);
    } catch {
      return null; // the load goes on with Emscripten's growth
    }
  }

  /**
   * Loads a model into a new engine instance and swaps it in once it works: a failed load leaves the
   * previous model loaded. `cannotStart` errors (no threads here, the wasm refused) mean the caller
   * should use wllama instead; any other error is the model's or the settings'.
   */
  async load(files: Blob[], config: LoadConfig, onStep: (step: string) => void = () => {}): Promise<LoadedModelInfo> {
    const t0 = performance.now();
    const steps = new LoadSteps(onStep);
    // While the header is read and the engine starts: the helper that will read the weights (it
    // reads the first blocks meanwhile), and the heap's planned size.
    const helper = startReadHelper(files);
    const planned = this.planned(files, config.ctx);
    const dropHelper = (): void => void helper.then((h) => h?.worker.terminate());
    steps.step("reading the model's GGUF header");
    const profiled = await profileModel(files[0]).catch((e: unknown) => {
      dropHelper();
      throw new AppError('corrupt-gguf', `The model's GGUF header cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    });
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const asked = decideThreads({
      requested: config.threads,
      remembered: config.rememberedThreads,
      modelBytes: bytes,
      cores: navigator.hardwareConcurrency,
      isolated: canThread(),
      backend: 'cpu',
    });
    // The single-threaded build runs one thread whatever was asked.
    const decision = canThread() || (asked.order.length === 1 && asked.order[0] === 1) ? asked : { ...asked, order: [1], note: `1: this page has no SharedArrayBuffer, so the engine runs single-threaded (${asked.note})` };
    const log = new LoadLog();
    steps.step('starting the engine');
    let m: OwnModule;
    // Firefox ESR has gone silent here for over 10 s (a load ended as worker-crashed "(loading: starting
    // the engine)", 2026-12-07): compiling the engine and starting its threads can hold this worker's
    // event loop. The page's load watchdog still bounds a start that never ends.
    this.busy();
    this.blocking = true;
    try {
      // One pthread worker per thread besides ours (llama.cpp's pool is made once, for the most threads),
      // and at least one: Emscripten 3.1.6's start waits for its pool to load, and never ends for none.
      m = await startOwnModule(this.files, Math.max(1, Math.max(...decision.order) - 1), (line) => {
        const tag = line.slice(0, 2);
        const text = /^[EWID] /.test(tag) ? line.slice(2) : line;
        if (tag === 'E ') log.logger.error(text);
        else if (tag === 'W ') log.logger.warn(text);
        else log.logger.log(text);
        steps.line(text);
        // A log line posted from inside a blocking call is a message too, and ends the page's 'busy'
        // pause (protocol.ts); the call still blocks, so say so again.
        if (this.blocking) this.busy();
      });
    } catch (e) {
      dropHelper();
      throw new OwnEngineCannotStart(e instanceof Error ? e.message : String(e));
    } finally {
      this.blocking = false;
    }
    const mount = `/m${++this.mounts}`;
    let info: LoadedModelInfo;
    let reads: ReturnType<typeof readBlobsThroughHelper> | undefined;
    const batch = config.batch ?? OWN_BATCH;
    try {
      m.FS.mkdir(mount);
      // llama.cpp finds a split model's other parts by the first one's name (model-00001-of-00003.gguf).
      const n = files.length;
      const names = files.map((_, i) => (n === 1 ? 'model.gguf' : `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`));
      m.FS.mount(m.FS.filesystems.WORKERFS, { blobs: files.map((data, i) => ({ name: names[i], data })) }, mount);
      skipEmptyReads(m);
      // The weights are read once, at the load: the helper goes when it returns.
      const h = await helper;
      reads = h && readBlobsThroughHelper(m, h);
      if (!reads) windowSmallReads(m);
      const heapBytes = await planned;
      if (heapBytes !== null) reserveHeap(m, heapBytes);
      const overrides = Object.entries(profiled.kvOverrides).map(([k, v]) => `${k}=${v}\n`).join('');
      let threads = decision.order[0];
      const load = (): number => {
        steps.step(`loading the weights with ${threads} thread${threads === 1 ? '' : 's'} on the CPU`);
        const path = withString(m, `${mount}/${names[0]}`);
        const ov = withString(m, overrides);
        this.busy();
        this.blocking = true;
        try {
          return m._se_load(path, config.ctx, threads, Math.max(...decision.order), batch, ov);
        } finally {
          this.blocking = false;
          m._free(path);
          m._free(ov);
        }
      };
      let rc: number;
      try {
        rc = load();
      } catch (e) {
        if (e instanceof BlobReadError) throw new AppError('load-failed', `The model's cached files could not be read (${e.message}). Delete it in Storage and download it again.`);
        // ggml aborts (rather than returning an error) when a context's buffers exceed the 1 GiB CPU
        // buffer cap (tools/engine-source.ts), e.g. a huge ctx: a load failure, which wllama retries.
        throw new AppError('load-failed', loadFailedMessage(`llama.cpp aborted (${e instanceof Error ? e.message : String(e)})`, log.reason()));
      } finally {
        reads?.stop();
      }
      if (rc !== 0) throw new AppError('load-failed', loadFailedMessage(LOAD_CODES[rc] ?? `(code ${rc})`, log.reason()));
      // The pool's threads start from messages to their pthread workers: give them a turn before the
      // first decode waits on them.
      await sleep(10);

      const probes: ThreadProbeResult[] = [];
      let threadsNote = decision.note;
      let threadsSource = decision.source;
      if (decision.source === 'measured') {
        const probeToken = tokenize(profiled.vocab, ' the', { addSpecial: false, parseSpecial: false })[0] ?? 0;
        const probeIds = tokenize(profiled.vocab, PROBE_PROMPT, { addSpecial: true, parseSpecial: false });
        try {
          for (const [i, t] of decision.order.entries()) {
            if (i > 0) await this.setThreads(m, t);
            threads = t;
            steps.step(`measuring the speed with ${t} thread${t === 1 ? '' : 's'}`);
            this.busy();
            probes.push({ threads: t, genTps: await probeSpeed(m, probeIds, probeToken) });
          }
          const best = fastest(probes);
          if (best.threads !== threads) await this.setThreads(m, best.threads);
          threads = best.threads;
          threadsNote = `${best.threads}, measured fastest here: ${describeProbes(probes)}.`;
        } catch (e) {
          const fallback = decision.order[decision.order.length - 1];
          await this.setThreads(m, fallback).catch(() => {});
          threads = fallback;
          threadsSource = 'prior';
          probes.length = 0;
          threadsNote = `${fallback}: measuring failed (${e instanceof Error ? e.message : String(e)}), so the usual choice is used.`;
        }
      }
      const nVocab = m._se_n_vocab();
      const eogIds: number[] = [];
      for (let t = 0; t < nVocab; t++) if (m._se_is_eog(t)) eogIds.push(t);
      const tmpl = m._se_chat_template();
      info = {
        engine: 'own',
        engineReason: '',
        backend: 'cpu',
        backendReason: 'The own engine runs on the CPU.', // the worker puts the backend choice's reason here
        backendFellBack: false,
        build: 'own',
        buildReason: canThread()
          ? `the project's own llama.cpp build (${this.files.llamaCpp}, wasm32 + SIMD128 + threads).`
          : `the project's own llama.cpp build (${this.files.llamaCpp}, wasm32 + SIMD128), single-threaded: this page has no SharedArrayBuffer.`,
        gpuLayers: null,
        threads,
        threadsSource,
        threadsNote,
        threadProbes: probes,
        ctx: m._se_n_ctx(),
        batch,
        batchReason: batchReason(batch, config.batch, 'own'),
        nVocab,
        bosId: m._se_bos(),
        eosId: m._se_eos(),
        eotId: m._se_eot(),
        eogIds,
        chatTemplate: tmpl ? m.UTF8ToString(tmpl) : null,
        metadata: readMetadata(m),
        loadMs: 0,
        modelBytes: bytes,
        wasmHeapBytes: null,
        wasmHeapUsedBytes: null,
        loadPhases: [],
        profile: profiled.profile,
      };
    } catch (e) {
      if (reads) reads.stop();
      else dropHelper();
      end(m);
      throw e;
    }
    steps.step('swapping in the new model');
    const previous = this.loaded;
    info.loadMs = performance.now() - t0;
    info.wasmHeapBytes = m.HEAPU8.buffer.byteLength;
    info.wasmHeapUsedBytes = m._se_heap_used();
    info.loadPhases = steps.finish();
    const rs = reads?.stats;
    if (rs) {
      const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
      info.loadPhases.push({ step: `of the weights' load, reading the cached files (${rs.reads} reads: ${s(rs.readMs)} waiting for 16 MB blocks, ${s(rs.copyMs)} copying into the engine's memory; ${rs.smallReads} small reads served from 256 KB windows, ${rs.windowFills} of them filling one, ${s(rs.smallMs)}${rs.stalls ? `; ${rs.stalls} block streams stalled and were read again` : ''})`, ms: Math.round(rs.waitMs), bytes: rs.bytes });
    }
    this.loaded = { m, mount, info, vocab: profiled.vocab };
    if (previous) end(previous.m);
    return info;
  }

  private async setThreads(m: OwnModule, n: number): Promise<void> {
    if (!m._se_set_threads(n)) throw new Error(`${n} threads could not start`);
    await yieldNow();
  }

  tokenize(prompt: PromptText): Tokenization {
    const vocab = this.loaded?.vocab;
    if (!vocab) throw new AppError('generation-failed', 'No model is loaded.');
    return this.prompts.tokenize(vocab, prompt);
  }

  async generate(prompt: PromptText, params: GenerateRequestOptions, signal: AbortSignal, onText: (text: string) => void): Promise<GenerationResult> {
    const loaded = this.loaded;
    if (!loaded) throw new AppError('generation-failed', 'No model is loaded.');
    const { m } = loaded;
    const ids = this.tokenize(prompt).ids;
    const t0 = performance.now();
    let text = '';
    let firstTokenMs: number | null = null;
    const stops = new StopMatcher(params.stop);
    const decoder = new TextDecoder('utf-8');
    const show = (piece: string): void => {
      if (!piece) return;
      if (firstTokenMs === null) firstTokenMs = performance.now() - t0;
      text += piece;
      onText(piece);
    };
    const ptr = heapIds(m, ids);
    let enginePrompt: string;
    let cached: number;
    try {
      enginePrompt = utf8.decode(readText(m, (buf, size) => m._se_detokenize(ptr, ids.length, buf, size), ids.length * 8 + 64));
      cached = m._se_prompt_begin(ptr, ids.length);
    } finally {
      m._free(ptr);
    }
    if (cached < 0) throw new AppError('context-full', `The prompt (${ids.length} tokens) does not fit the ${m._se_n_ctx()}-token context.`);
    const cancelled = (): GenerationResult => ({
      text,
      finishReason: 'cancelled',
      timings: null,
      enginePromptTokens: ids.length,
      enginePrompt,
      firstTokenMs,
    });
    const tPrompt = performance.now();
    for (let left = ids.length - cached; left > 0; ) {
      this.busy();
      left = m._se_prompt_step();
      if (left < 0) throw new AppError('generation-failed', `llama.cpp could not evaluate the prompt (llama_decode returned ${-left}).`);
      await yieldNow();
      if (signal.aborted) return cancelled();
    }
    const promptMs = performance.now() - tPrompt;
    const seed = params.seed ?? Math.floor(Math.random() * 0xffffffff);
    m._se_sampler(params.temperature, params.top_k, params.top_p, seed >>> 0, params.repetition_penalty, params.frequency_penalty, params.presence_penalty, PENALTY_LAST_N);
    const tGen = performance.now();
    let lastYield = tGen;
    let generated = 0;
    let finish: GenerationResult['finishReason'] = 'length';
    let stoppedByString = false;
    const piece = (t: number): Uint8Array => readText(m, (buf, size) => m._se_piece(t, buf, size), 64);
    while (generated < params.max_tokens) {
      const token = m._se_sample();
      if (token < 0) throw new AppError('generation-failed', 'llama.cpp could not sample a token.');
      if (m._se_is_eog(token)) {
        // Counted, as llama-server (and so wllama, and the hosted API's completion_tokens) counts it.
        generated++;
        finish = 'stop';
        break;
      }
      generated++;
      const out = stops.push(decoder.decode(piece(token), { stream: true }));
      show(out.emit);
      if (out.stopped) {
        finish = 'stop';
        stoppedByString = true;
        break;
      }
      if (generated >= params.max_tokens) break;
      // The first piece reaches the page now, not after the next token's decode and the next yield.
      if (generated === 1) await yieldNow();
      const rc = m._se_feed(token);
      if (rc === 1) break; // the context is full: the reply ends as 'length'
      if (rc < 0) throw new AppError('generation-failed', `llama.cpp could not evaluate a token (llama_decode returned ${-rc}).`);
      // Back to the event loop (Stop, the heartbeat) every GEN_YIELD_MS, not every token: see there.
      if (performance.now() - lastYield < GEN_YIELD_MS) continue;
      await yieldNow();
      lastYield = performance.now();
      if (signal.aborted) {
        show(stops.flush());
        return cancelled();
      }
    }
    if (!stoppedByString) {
      // Bytes of an unfinished UTF-8 sequence end as U+FFFD; text held as a possible stop string was not one.
      const tail = stops.push(decoder.decode());
      show(tail.emit);
      if (!tail.stopped) show(stops.flush());
    }
    const predictedMs = performance.now() - tGen;
    return {
      text,
      finishReason: finish,
      timings: {
        promptTokens: ids.length - cached,
        cachedTokens: cached,
        promptMs,
        promptPerSecond: promptMs > 0 ? ((ids.length - cached) * 1000) / promptMs : 0,
        predictedTokens: generated,
        predictedMs,
        predictedPerSecond: predictedMs > 0 ? (generated * 1000) / predictedMs : 0,
      },
      enginePromptTokens: ids.length,
      enginePrompt,
      firstTokenMs,
    };
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    this.prompts.clear();
    if (loaded) end(loaded.m);
  }
}

/** The own engine could not run here at all (as opposed to a model it refused): use wllama. */
export class OwnEngineCannotStart extends Error {
  constructor(why: string) {
    super(`The own engine could not start: ${why}.`);
  }
}

function withString(m: OwnModule, s: string): number {
  const n = m.lengthBytesUTF8(s) + 1;
  const ptr = m._malloc(n);
  m.stringToUTF8(s, ptr, n);
  return ptr;
}

function readMetadata(m: OwnModule): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0, n = m._se_meta_count(); i < n; i++) {
    const key = utf8.decode(readText(m, (b, s) => m._se_meta_key(i, b, s)));
    out[key] = utf8.decode(readText(m, (b, s) => m._se_meta_val(i, b, s)));
  }
  return out;
}

/** Frees the model and ends the instance's threads; its memory goes with the last reference. */
function end(m: OwnModule): void {
  try {
    m._se_free();
  } catch {
    // an instance that aborted cannot free; ending its threads is enough
  }
  m.PThread?.terminateAllThreads();
}

/**
 * Generation tok/s with the loaded threads: the probe prompt, then one fixed plain token fed back
 * PROBE_TOKENS times (what generating costs, without a sampler or an early end of generation).
 */
async function probeSpeed(m: OwnModule, promptIds: number[], token: number): Promise<number> {
  const ptr = heapIds(m, promptIds);
  try {
    if (m._se_prompt_begin(ptr, promptIds.length) < 0) throw new Error('the probe prompt does not fit the context');
  } finally {
    m._free(ptr);
  }
  while (m._se_prompt_step() > 0) await yieldNow();
  const start = performance.now();
  let fed = 0;
  // A yield per token keeps the heartbeat answered: a thread count can be catastrophically slow
  // (Firefox ESR with 2 threads on 2 cores), and the deadline ends such a probe early.
  for (; fed < PROBE_TOKENS; fed++) {
    if (m._se_feed(token) !== 0) break;
    await yieldNow();
    if (performance.now() - start > PROBE_DEADLINE_MS) break;
  }
  const seconds = (performance.now() - start) / 1000;
  return fed > 0 && seconds > 0 ? fed / seconds : 0;
}
