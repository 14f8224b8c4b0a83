/** The model's lifecycle as the UI sees it: idle, downloading, loading, ready or error. */
import { deleteModel } from '../../../../workers/lib/cache/model-cache';
import { AppError, isAbort } from '../../../../workers/lib/errors';
import { resolveModelSource, type ModelSource } from '../../../../workers/lib/model-source';
import type { DownloadOptions, DownloadProgress, LoadConfig, LoadedModelInfo } from '../../../../workers/protocol';
import { DownloadClient } from '../engine/download-client';
import { EngineClient } from '../engine/engine-client';
import { rememberThreads } from '../engine-prefs';
import { headerVerdict, readHeaderBeforeDownload } from '../memory-verdict';
import { readBrowserLimits } from '../../../../workers/lib/planner/browser-limits';
import type { PlanLimits } from '../../../../workers/lib/planner/memory-plan';
import { openModel, type ModelInput } from '../model-loader';

export type ModelStatus = 'idle' | 'downloading' | 'loading' | 'ready' | 'error';

/** force: download even when the memory planner predicts the model will not fit. */
type Request = ({ spec: string; label?: string } | { files: File[] }) & { force?: boolean };

export class ModelState {
  status = $state<ModelStatus>('idle');
  progress = $state.raw<DownloadProgress | null>(null);
  info = $state.raw<LoadedModelInfo | null>(null);
  source = $state.raw<ModelSource | null>(null);
  /** Cache id of the loaded (or loading) model. */
  modelId = $state<string | null>(null);
  label = $state('');
  error = $state.raw<AppError | null>(null);
  fromCache = $state(false);
  /** A download that was paused (or interrupted) and can resume from what is stored. */
  paused = $state(false);
  /** Something the user should know that is not an error (e.g. WebGPU failed and the CPU took over). */
  notice = $state<string | null>(null);
  #limits: Promise<PlanLimits> | null = null;

  /** What the planner checks against (WebGPU adapter limits, device memory): read once, when first needed. */
  get limits(): Promise<PlanLimits> {
    return (this.#limits ??= readBrowserLimits().catch(() => ({})));
  }

  #engine: EngineClient | null = null;
  #download: DownloadClient | null = null;
  #abort: AbortController | null = null;
  #last: { request: Request; config: LoadConfig; download: DownloadOptions } | null = null;

  /** The engine, once a model is ready. */
  get engine(): EngineClient | null {
    return this.status === 'ready' ? this.#engine : null;
  }

  get busy(): boolean {
    return this.status === 'downloading' || this.status === 'loading';
  }

  /** Opens the last model again (after an error, or to resume a paused download). */
  retry(force = false): Promise<void> {
    const last = this.#last;
    return last ? this.#run({ ...last.request, force: force || last.request.force }, last.config, last.download) : Promise.resolve();
  }

  /** Refuses, before any byte is downloaded, a model the planner says cannot fit at this context. */
  async #checkFits(input: ModelInput, config: LoadConfig): Promise<void> {
    const header = await readHeaderBeforeDownload(input.kind === 'url' ? { urls: input.source.urls } : { files: input.files });
    if (!header) return;
    const verdict = headerVerdict(header, config.ctx, config.backend, await this.limits);
    if (!verdict.fits) throw new AppError('too-big', `This model cannot run in this browser: ${verdict.detail}`);
  }

  /** Loads the current model again with new engine settings (backend, threads, GPU layers). */
  reloadWith(config: LoadConfig): Promise<void> {
    const last = this.#last;
    return last ? this.#run(last.request, config, last.download) : Promise.resolve();
  }

  /** WebGPU failed at run time: load the same model on the CPU; the conversation lives elsewhere and stays. */
  fallbackToCpu(reason: string): Promise<void> {
    const last = this.#last;
    if (!last) return Promise.resolve();
    return this.#run(last.request, { ...last.config, backend: 'cpu' }, last.download, reason);
  }

  open(spec: string, config: LoadConfig, download: DownloadOptions, label?: string): Promise<void> {
    return this.#run({ spec, label }, config, download);
  }

  openFiles(files: File[], config: LoadConfig, download: DownloadOptions): Promise<void> {
    return this.#run({ files }, config, download);
  }

  /** Stops the download; what is stored stays, so it resumes later. */
  pause(): void {
    if (this.status !== 'downloading') return;
    this.paused = true;
    this.#abort?.abort();
  }

  /** Stops the download and removes what it stored. */
  async cancel(): Promise<void> {
    const id = this.source?.id;
    this.paused = false;
    this.#abort?.abort();
    this.progress = null;
    if (id) await deleteModel(id).catch(() => {});
  }

  async #run(request: Request, config: LoadConfig, download: DownloadOptions, notice: string | null = null): Promise<void> {
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    this.#last = { request, config, download };
    this.error = null;
    this.notice = notice;
    this.info = null;
    this.progress = null;
    this.paused = false;
    this.status = 'loading';
    try {
      let input: ModelInput;
      if ('spec' in request) {
        const source = resolveModelSource(request.spec, document.baseURI);
        this.source = source;
        this.label = request.label ?? source.names[0];
        input = { kind: 'url', source };
      } else {
        this.source = null;
        this.label = request.files[0]?.name ?? '';
        input = { kind: 'files', files: request.files };
      }
      this.#engine ??= new EngineClient();
      const opened = await openModel(
        input,
        config,
        { ...download, label: this.label },
        { engine: this.#engine, download: () => (this.#download ??= new DownloadClient()) },
        {
          onStatus: (s) => {
            if (this.#abort === abort) this.status = s;
          },
          onProgress: (p) => {
            if (this.#abort === abort) this.progress = p;
          },
          signal: abort.signal,
          beforeDownload: request.force ? undefined : (i) => this.#checkFits(i, config),
        },
      );
      if (this.#abort !== abort) return;
      this.modelId = opened.id;
      this.info = opened.info;
      if (opened.info.threadsSource === 'measured') rememberThreads(opened.id, opened.info.threads);
      if (opened.info.backendFellBack) this.notice = opened.info.backendReason;
      this.fromCache = opened.fromCache;
      this.status = 'ready';
    } catch (e) {
      if (this.#abort !== abort) return; // superseded by a newer request
      if (isAbort(e)) {
        this.status = 'idle';
        return;
      }
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
    if (this.error.kind === 'network') this.paused = true; // interrupted: what is stored resumes
    this.status = 'error';
  }
}
