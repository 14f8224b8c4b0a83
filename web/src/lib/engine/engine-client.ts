/** Typed front for the engine worker (wllama host). */
import type { EngineEvent, EngineRequest } from '$workers/protocol';
import type { GenerateRequestOptions, GenerationResult, LoadConfig, LoadedModelInfo } from '$workers/lib/engine/types';
import type { Tokenization } from '$workers/lib/tokenizer/prompt';
import type { ContextFit } from '$workers/lib/engine/context-limit';
import { AppError } from '$workers/lib/errors';
import type { PromptText } from '$workers/lib/templates/index';
import type { SpeedCalibration } from '$workers/lib/planner/speed-forecast';
import { startWorker, WorkerClient } from './worker-client';
import EngineWorker from '$workers/engine.worker.ts?worker';

/**
 * The engine worker answers pings from its own event loop: llama.cpp runs in wllama's nested worker,
 * and our worker's synchronous steps (tokenizing a 100,000-character prompt: about 0.2 s here;
 * reading a GGUF header) are far shorter than the timeout. 10 s, not 6: Firefox ESR loading the own
 * engine was declared dead ("no sign of life for 6 s") in 2 of 3 loads of one full test run here, and
 * in none of 9 loads with 10 s; a hung worker is still reported within about 11 s.
 */
export const ENGINE_HEARTBEAT = { ping: { type: 'ping' }, intervalMs: 1000, timeoutMs: 10_000 } as const;

export class EngineClient {
  private client: WorkerClient<EngineRequest, EngineEvent>;

  constructor() {
    const worker = startWorker(
      () => new EngineWorker({ name: 'engine' }),
      'inference worker',
    );
    this.client = new WorkerClient(worker, new Set(['loaded', 'done', 'unloaded', 'tokens', 'calibrated']), 'inference worker', ENGINE_HEARTBEAT, (target) => ({
      type: 'cancel',
      target,
    }));
  }

  /** Loads a model; `onStep` sees each step of the load as the worker reports it (for the load watchdog). */
  async load(files: Blob[], config: LoadConfig, onStep?: (step: string) => void): Promise<LoadedModelInfo> {
    // Quiet: the load is bounded by the session's load watchdog (watchLoad), step by step.
    const ev = await this.client.call({ type: 'load', files, config }, { onEvent: (e) => e.type === 'progress' && onStep?.(e.step), quiet: true });
    if (ev.type === 'loaded') return ev.info;
    throw new AppError('load-failed', 'The inference worker ended the load without an answer.');
  }

  /**
   * The app's tokenization of a prompt, done in the worker (long prompts never block the page).
   * With `fit`, a prompt that leaves less than `fit.reserve` of the context fails with context-full instead.
   */
  async tokenize(prompt: PromptText, fit?: ContextFit): Promise<Tokenization> {
    const ev = await this.client.call({ type: 'tokenize', prompt, fit });
    if (ev.type === 'tokens') return ev.tokenization;
    throw new AppError('generation-failed', 'The inference worker ended tokenization without an answer.');
  }

  /** Streams a completion; `onText` gets each new piece. Aborting the signal stops it (the result says 'cancelled'). */
  async generate(
    prompt: PromptText,
    params: GenerateRequestOptions,
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<GenerationResult> {
    const ev = await this.client.call({ type: 'generate', prompt, params }, { signal, onEvent: (e) => e.type === 'token' && e.pieces.forEach((p) => onText(p)) });
    if (ev.type === 'done') return ev.result;
    throw new AppError('generation-failed', 'The inference worker ended the generation without an answer.');
  }

  /** Times each weight type on the own engine (a few seconds; the loaded model is untouched). */
  async calibrate(threads: number, browser: string): Promise<SpeedCalibration> {
    const ev = await this.client.call({ type: 'calibrate', threads, browser });
    if (ev.type === 'calibrated') return ev.calibration;
    throw new AppError('generation-failed', 'The inference worker ended the calibration without an answer.');
  }

  terminate(): void {
    this.client.terminate();
  }
}

/** What the session and its states need from the engine (a fake in unit tests; calibrate is optional, the fakes have none). */
export type EngineApi = Pick<EngineClient, 'load' | 'tokenize' | 'generate' | 'terminate'> & Partial<Pick<EngineClient, 'calibrate'>>;
