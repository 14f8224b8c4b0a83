/**
 * Owns the one Wllama instance: loads a model from Blobs, streams a completion, cancels it.
 *
 * Placement: this runs inside the app's engine worker, so wllama's own worker is nested in ours.
 * Measured on this machine (headless Chromium, demo and 134M models) the nested placement generates
 * at the same speed as hosting Wllama on the main thread, while the main thread no longer runs
 * wllama's result polling, JSON parsing and JSPI file-read replies (see README "Engine placement").
 */
import { CacheManager, Wllama } from '@wllama/wllama/esm/index.js';
import type { RawCompletionChunk } from '@wllama/wllama/esm/index.js';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import compatWasmUrl from '@wllama/wllama-compat/wasm/wllama.wasm?url';
import compatWorkerUrl from '@wllama/wllama-compat/wasm/wllama.js?url';
import { chooseWasmBuild, wasmFeatures, type WasmBuild } from './wasm-build';
import { noWllamaStorage } from './no-wllama-storage';
import { LoadLog, loadFailedMessage } from './load-log';
import { AppError } from '../errors';
import { generationError, versionMismatchError } from './engine-errors';
import type { GenerateRequestOptions, GenerationResult, GenerationTimings, LoadConfig, LoadedModelInfo } from './types';
import { tokenize, type Vocab } from '../tokenizer/index';
import type { Tokenization } from '../tokenizer/prompt';
import { PromptMemo } from '../tokenizer/prompt-memo';
import type { PromptText } from '../templates/index';
import { chooseBackend, loadWithFallback, type Backend } from './backend';
import { profileModel } from './model-profile';
import { LoadSteps } from './load-steps';
import { batchReason } from './batch';
import { decideThreads, describeProbes, fastest, PROBE_DEADLINE_MS, PROBE_TOKENS, type ThreadProbeResult } from './threads';

const quietLogger = {
  debug: () => {},
  log: () => {},
  warn: (...a: unknown[]) => console.warn('[wllama]', ...a),
  error: (...a: unknown[]) => console.error('[wllama]', ...a),
};

interface LoadParams {
  build: WasmBuild;
  n_ctx: number;
  n_batch: number | undefined;
  n_threads: number;
  n_gpu_layers: number;
  kvOverrides: Record<string, string> | undefined;
  /** Each llama.cpp log line of the load: a sign that wllama's inner worker is still working. */
  onLine?: (line: string) => void;
}

/**
 * A new Wllama with the model loaded; on failure nothing is left running. wllama (3.8, 3.13) does not
 * throw when llama.cpp refuses a model (unknown architecture, missing tensor, a KV cache that cannot be
 * allocated): it returns a context of 0 tokens or a vocabulary of 0. Both are failures here, with
 * llama.cpp's reason taken from its log for this load.
 */
async function createLoaded(files: Blob[], p: LoadParams): Promise<Wllama> {
  const log = new LoadLog(quietLogger);
  const seen =
    (f: (...a: unknown[]) => void) =>
    (...a: unknown[]): void => {
      f(...a);
      p.onLine?.(a.map(String).join(' '));
    };
  const logger = { debug: seen(log.logger.debug), log: seen(log.logger.log), warn: seen(log.logger.warn), error: seen(log.logger.error) };
  const w = new Wllama({ default: wasmUrl }, { logger, cacheManager: new CacheManager([noWllamaStorage]) });
  // wllama takes the compat build when JSPI or memory64 is missing and compat assets are set: ours,
  // served by the app ('firefox_safari': the choice was made in chooseWasmBuild, not by browser name).
  w.setCompat(p.build === 'compat' ? { worker: new URL(compatWorkerUrl, self.location.href).href, wasm: compatWasmUrl } : null, 'firefox_safari');
  let failure: string | null = null;
  try {
    await w.loadModel(files, {
      n_ctx: p.n_ctx,
      // n_ubatch too: llama.cpp splits a batch into micro-batches of n_ubatch (its default 512).
      ...(p.n_batch ? { n_batch: p.n_batch, n_ubatch: p.n_batch } : {}),
      n_threads: p.n_threads,
      n_gpu_layers: p.n_gpu_layers,
      // One slot: a single conversation, so every turn reuses the previous turn's KV cache.
      n_parallel: 1,
      kv_overrides: p.kvOverrides,
    });
    const info = w.getLoadedContextInfo();
    if (!(info.n_ctx > 0)) failure = `(it reported a ${info.n_ctx ?? 0}-token context)`;
    else if (!(info.n_vocab > 0)) failure = '(it reported an empty vocabulary)';
  } catch (e) {
    // wllama has already exited this instance when it throws version_mismatch.
    const mismatch = versionMismatchError(e, p.build);
    if (mismatch) throw mismatch;
    failure = `(${e instanceof Error ? e.message : String(e)})`;
  }
  if (failure === null) return w;
  await w.exit().catch(() => {});
  throw new AppError('load-failed', loadFailedMessage(failure, log.reason()));
}

const PROBE_PROMPT = 'Measure how fast this machine runs the model: the quick brown fox jumps over the lazy dog.';

/**
 * Generation tok/s of a short run. The output is pinned to one plain token by a logit bias, so a model
 * whose free output would be invalid UTF-8 (or end at once) still gives a full, comparable run.
 */
async function probeSpeed(w: Wllama, token: number): Promise<number> {
  let tps = 0;
  let pieces = 0;
  // A thread count can be catastrophically slow (Firefox ESR with 2 threads on 2 cores: under 1 tok/s
  // on the 134M model, where 1 thread gives 20): the probe stops at its deadline and counts what came,
  // so it loses to the other count instead of holding the load past the load watchdog's limit.
  const deadline = AbortSignal.timeout(PROBE_DEADLINE_MS);
  let firstAt = 0;
  try {
    await w.createCompletion({
      prompt: PROBE_PROMPT,
      max_tokens: PROBE_TOKENS,
      temperature: 0,
      stream: true,
      abortSignal: deadline,
      onData: (chunk: RawCompletionChunk) => {
        if (pieces++ === 0) firstAt = performance.now();
        if (chunk.timings) tps = chunk.timings.predicted_per_second;
      },
      // llama-server's JSON names
      ...({ logit_bias: [[token, 1e4]], ignore_eos: true, cache_prompt: false } as object),
    });
  } catch (e) {
    if (!deadline.aborted) throw e;
    // Tokens after the first, over the time since it came (the prompt is not generation); none: 0.
    const seconds = (performance.now() - firstAt) / 1000;
    return pieces > 1 && seconds > 0 ? (pieces - 1) / seconds : 0;
  }
  return tps;
}

export class WllamaHost {
  private wllama: Wllama | null = null;
  private info: LoadedModelInfo | null = null;
  private vocab: Vocab | null = null;
  private readonly prompts = new PromptMemo();

  /**
   * Loads a model next to the one loaded now, and swaps only once the new one works: a failed open
   * leaves the previous model loaded and usable (the cost is both in memory during the load).
   */
  async load(files: Blob[], config: LoadConfig, onStep: (step: string) => void = () => {}): Promise<LoadedModelInfo> {
    const t0 = performance.now();
    const steps = new LoadSteps(onStep);
    steps.step('choosing the backend');
    const choice = await chooseBackend(config.backend);
    const build = chooseWasmBuild(config.build ?? 'auto', wasmFeatures());
    // wllama picks compat only where JSPI is missing: hiding it in this worker (which hosts nothing
    // but wllama) is how ?build=compat runs the compat build in a browser that has JSPI.
    if (build.build === 'compat' && 'Suspending' in WebAssembly) delete (WebAssembly as unknown as { Suspending?: unknown }).Suspending;
    const bytes = files.reduce((n, f) => n + f.size, 0);
    steps.step("reading the model's GGUF header");
    const profiled = await profileModel(files[0]).catch((e: unknown) => {
      throw new AppError('corrupt-gguf', `The model's GGUF header cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    });
    const decision = decideThreads({
      requested: config.threads,
      remembered: config.rememberedThreads,
      modelBytes: bytes,
      cores: navigator.hardwareConcurrency,
      isolated: self.crossOriginIsolated,
      backend: choice.backend,
      build: build.build,
    });
    // llama.cpp expects the override list to end with an empty key (its CLI adds one; wllama does not:
    // 3.13.0 still copies only the given keys, and without this entry the load stops on llama.cpp's
    // assert "KV overrides not terminated with empty key"; template.spec.ts's demoNoEot test fails).
    const kvOverrides = Object.keys(profiled.kvOverrides).length ? { ...profiled.kvOverrides, '': 'int:0' } : undefined;
    const loadWith = (threads: number, backend: Backend): Promise<Wllama> => {
      steps.step(`loading the weights with ${threads} thread${threads === 1 ? '' : 's'} on ${backend === 'cpu' ? 'the CPU' : 'WebGPU'}`);
      return createLoaded(files, {
        build: build.build,
        n_ctx: config.ctx,
        n_batch: config.batch,
        n_threads: threads,
        n_gpu_layers: backend === 'cpu' ? 0 : (config.gpuLayers ?? 99999),
        kvOverrides,
        onLine: steps.line,
      });
    };

    const first = await loadWithFallback(choice.backend, choice.reason, (b) => loadWith(decision.order[0], b));
    let w = first.value;
    let threadsNote = decision.note;
    let threadsSource = decision.source;
    const probes: ThreadProbeResult[] = [];
    if (decision.source === 'measured' && first.backend === 'cpu') {
      try {
        const probeToken = tokenize(profiled.vocab, ' the', { addSpecial: false, parseSpecial: false })[0] ?? 0;
        steps.step(`measuring the speed with ${decision.order[0]} threads`);
        probes.push({ threads: decision.order[0], genTps: await probeSpeed(w, probeToken) });
        for (const threads of decision.order.slice(1)) {
          await w.exit();
          w = await loadWith(threads, 'cpu');
          steps.step(`measuring the speed with ${threads} threads`);
          probes.push({ threads, genTps: await probeSpeed(w, probeToken) });
        }
        const best = fastest(probes);
        if (best.threads !== decision.order[decision.order.length - 1]) {
          await w.exit();
          w = await loadWith(best.threads, 'cpu');
        }
        threadsNote = `${best.threads}, measured fastest here: ${describeProbes(probes)}.`;
      } catch (e) {
        // A failed measurement must not cost the user the model: load it once more with the usual choice.
        const fallback = decision.order[decision.order.length - 1];
        await w.exit().catch(() => {});
        w = await loadWith(fallback, 'cpu');
        threadsSource = 'prior';
        probes.length = 0;
        threadsNote = `${fallback}: measuring failed (${e instanceof Error ? e.message : String(e)}), so the usual choice is used.`;
      }
    }
    steps.step('swapping in the new model');
    const previous = this.wllama;
    this.wllama = w;
    this.vocab = profiled.vocab;
    await previous?.exit().catch(() => {});
    const ctx = w.getLoadedContextInfo();
    this.info = {
      engine: 'wllama',
      engineReason: '',
      backend: first.backend,
      backendReason: first.reason,
      backendFellBack: first.fellBack,
      build: build.build,
      buildReason: build.reason,
      gpuLayers: first.backend === 'webgpu' ? (config.gpuLayers ?? null) : null,
      threads: w.getNumThreads(),
      threadsSource,
      threadsNote,
      threadProbes: probes,
      ctx: ctx.n_ctx,
      batch: ctx.n_batch,
      batchReason: batchReason(ctx.n_batch, config.batch, 'wllama'),
      nVocab: ctx.n_vocab,
      bosId: w.getBOS(),
      eosId: w.getEOS(),
      eotId: w.getEOT(),
      eogIds: ctx.list_tokens_eog ?? [],
      chatTemplate: w.getChatTemplate(),
      metadata: ctx.metadata,
      loadMs: performance.now() - t0,
      modelBytes: bytes,
      wasmHeapBytes: null,
      wasmHeapUsedBytes: null,
      loadPhases: steps.finish(),
      profile: profiled.profile,
    };
    return this.info;
  }

  /**
   * The app's own tokenization of a prompt (BOS added), exactly the ids the engine is given: special
   * tokens are recognised in the template's markup only, never inside message text.
   */
  tokenize(prompt: PromptText): Tokenization {
    const vocab = this.vocab;
    if (!vocab) throw new AppError('generation-failed', 'No model is loaded.');
    return this.prompts.tokenize(vocab, prompt);
  }

  async generate(
    prompt: PromptText,
    params: GenerateRequestOptions,
    signal: AbortSignal,
    onText: (text: string) => void,
  ): Promise<GenerationResult> {
    const w = this.wllama;
    if (!w) throw new AppError('generation-failed', 'No model is loaded.');
    const sent = this.tokenize(prompt).text;
    const t0 = performance.now();
    let firstTokenMs: number | null = null;
    let text = '';
    let finish: GenerationResult['finishReason'] = 'stop';
    let timings: GenerationTimings | null = null;
    let promptTokens: number | null = null;
    let enginePrompt: string | null = null;
    const onData = (chunk: RawCompletionChunk): void => {
      const choice = chunk.choices?.[0];
      if (choice?.text) {
        if (firstTokenMs === null) firstTokenMs = performance.now() - t0;
        text += choice.text;
        onText(choice.text);
      }
      if (choice?.finish_reason === 'length') finish = 'length';
      if (chunk.usage) promptTokens = chunk.usage.prompt_tokens;
      const verbose = (chunk as { __verbose?: { prompt?: unknown } }).__verbose;
      if (typeof verbose?.prompt === 'string') enginePrompt = verbose.prompt;
      if (chunk.timings) {
        const t = chunk.timings;
        timings = {
          promptTokens: t.prompt_n,
          cachedTokens: t.cache_n,
          promptMs: t.prompt_ms,
          promptPerSecond: t.prompt_per_second,
          predictedTokens: t.predicted_n,
          predictedMs: t.predicted_ms,
          predictedPerSecond: t.predicted_per_second,
        };
      }
    };
    try {
      await w.createCompletion({
        // Message text with special-token text broken, so it cannot forge a turn (tokenizer/prompt.ts).
        prompt: sent,
        stream: true,
        onData,
        abortSignal: signal,
        max_tokens: params.max_tokens,
        temperature: params.temperature,
        top_p: params.top_p,
        top_k: params.top_k,
        seed: params.seed,
        frequency_penalty: params.frequency_penalty,
        presence_penalty: params.presence_penalty,
        // llama-server's JSON name for the repetition penalty
        stop: params.stop.length ? params.stop : undefined,
        // llama-server's JSON names; verbose adds the detokenized prompt to the final chunk
        ...({ repeat_penalty: params.repetition_penalty, cache_prompt: true, verbose: true } as object),
      });
    } catch (e) {
      if (signal.aborted) {
        return { text, finishReason: 'cancelled', timings, enginePromptTokens: promptTokens, enginePrompt, firstTokenMs };
      }
      if (this.info?.backend === 'webgpu') {
        const why = e instanceof Error ? e.message : String(e);
        throw new AppError('webgpu-failed', `WebGPU failed while generating (${why}). The model is reloaded on the CPU; the conversation is kept, so send again.`);
      }
      throw generationError(e);
    }
    return { text, finishReason: finish, timings, enginePromptTokens: promptTokens, enginePrompt, firstTokenMs };
  }

  async unload(): Promise<void> {
    const w = this.wllama;
    this.wllama = null;
    this.info = null;
    this.vocab = null;
    await w?.exit();
  }
}
