/** Typed front for the engine worker (wllama host). */
import type {
  EngineEvent,
  EngineRequest,
  GenerateRequestOptions,
  GenerationResult,
  LoadConfig,
  LoadedModelInfo,
  Tokenization,
} from '../../../../workers/protocol';
import { AppError } from '../../../../workers/lib/errors';
import type { PromptText } from '../../../../workers/lib/templates/index';
import { startWorker, WorkerClient } from './worker-client';

export class EngineClient {
  private client: WorkerClient<EngineRequest, EngineEvent>;

  constructor() {
    const worker = startWorker(
      () => new Worker(new URL('../../../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' }),
      'inference worker',
    );
    this.client = new WorkerClient(worker, new Set(['loaded', 'done', 'unloaded', 'tokens']), 'inference worker');
  }

  async load(files: Blob[], config: LoadConfig): Promise<LoadedModelInfo> {
    for await (const ev of this.client.request({ type: 'load', files, config }).events) {
      if (ev.type === 'loaded') return ev.info;
    }
    throw new AppError('load-failed', 'The inference worker ended the load without an answer.');
  }

  /** The app's tokenization of a prompt, done in the worker (long prompts never block the page). */
  async tokenize(prompt: PromptText): Promise<Tokenization> {
    for await (const ev of this.client.request({ type: 'tokenize', prompt }).events) {
      if (ev.type === 'tokens') return ev.tokenization;
    }
    throw new AppError('generation-failed', 'The inference worker ended tokenization without an answer.');
  }

  /** Streams a completion; `onText` gets each new piece. Aborting the signal stops it (the result says 'cancelled'). */
  async generate(
    prompt: PromptText,
    params: GenerateRequestOptions,
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<GenerationResult> {
    const { id, events } = this.client.request({ type: 'generate', prompt, params });
    const cancel = (): void => this.client.notify({ type: 'cancel', target: id });
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const ev of events) {
        if (ev.type === 'token') onText(ev.text);
        else if (ev.type === 'done') return ev.result;
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    throw new AppError('generation-failed', 'The inference worker ended the generation without an answer.');
  }

  terminate(): void {
    this.client.terminate();
  }
}
