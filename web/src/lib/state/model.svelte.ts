/** The model's lifecycle as the UI sees it: idle, downloading, loading, ready or error. */
import { AppError } from '../../../../workers/lib/errors';
import { resolveModelSource, type ModelSource } from '../../../../workers/lib/model-source';
import type { DownloadProgress, LoadConfig, LoadedModelInfo } from '../../../../workers/protocol';
import { DownloadClient } from '../engine/download-client';
import { EngineClient } from '../engine/engine-client';
import { openModel } from '../model-loader';

export type ModelStatus = 'idle' | 'downloading' | 'loading' | 'ready' | 'error';

export class ModelState {
  status = $state<ModelStatus>('idle');
  progress = $state.raw<DownloadProgress | null>(null);
  info = $state.raw<LoadedModelInfo | null>(null);
  source = $state.raw<ModelSource | null>(null);
  error = $state.raw<AppError | null>(null);
  fromCache = $state(false);

  #engine: EngineClient | null = null;
  #download: DownloadClient | null = null;

  /** The engine, once a model is ready. */
  get engine(): EngineClient | null {
    return this.status === 'ready' ? this.#engine : null;
  }

  #last: { spec: string; config: LoadConfig } | null = null;

  /** Opens the last model again (after an error). */
  retry(): Promise<void> {
    return this.#last ? this.open(this.#last.spec, this.#last.config) : Promise.resolve();
  }

  async open(spec: string, config: LoadConfig): Promise<void> {
    this.#last = { spec, config };
    this.error = null;
    this.info = null;
    this.progress = null;
    this.status = 'loading';
    try {
      const source = resolveModelSource(spec, document.baseURI);
      this.source = source;
      this.#engine ??= new EngineClient();
      const opened = await openModel(
        source,
        config,
        { engine: this.#engine, download: () => (this.#download ??= new DownloadClient()) },
        {
          onStatus: (s) => (this.status = s),
          onProgress: (p) => (this.progress = p),
        },
      );
      this.info = opened.info;
      this.fromCache = opened.fromCache;
      this.status = 'ready';
    } catch (e) {
      this.fail(e);
    }
  }

  /** Marks the engine unusable (e.g. its worker crashed); the conversation stays. */
  fail(e: unknown): void {
    this.error = e instanceof AppError ? e : new AppError('load-failed', e instanceof Error ? e.message : String(e));
    if (this.error.kind === 'worker-crashed' || this.error.kind === 'worker-unavailable') {
      this.#engine?.terminate();
      this.#engine = null;
    }
    this.status = 'error';
  }
}
