/** The model's lifecycle as the UI sees it: idle, downloading, loading, ready or error. */
import { AppError, isAbort } from '$workers/lib/errors';
import { resolveModelSource, type ModelSource } from '$workers/lib/model-source';
import type { DownloadOptions } from '$workers/lib/download/defaults';
import type { DownloadProgress } from '$workers/lib/download/progress';
import type { LoadConfig, LoadedModelInfo } from '$workers/lib/engine/types';
import type { DownloadsApi } from '../engine/download-client';
import type { EngineApi } from '../engine/engine-client';
import { rememberThreads } from '../engine-prefs';
import { headerVerdict, readHeaderBeforeDownload } from '../memory-verdict';
import { readBrowserLimits } from '$workers/lib/planner/browser-limits';
import type { PlanLimits } from '$workers/lib/planner/memory-plan';
import { openCachedModel, openModel, type LoaderClients, type ModelInput, type OpenedModel } from '../model-loader';
import { engineStalled, StalledError } from '../watchdog';

/** What ModelState runs on: the session gives the real workers, unit tests give fakes. */
export interface ModelDeps {
  /** A new engine (after a crash the old one is dropped and a new one started on the next open). */
  engine: () => EngineApi;
  downloads: () => DownloadsApi;
  cacheUsable: () => Promise<boolean>;
  /** Resolves relative model URLs (the page's base URL). */
  baseUrl: () => string;
  /** Called whenever the status changes, and once a model is ready (with its info). */
  onStatus?: (status: ModelStatus) => void;
  onReady?: (info: LoadedModelInfo) => void;
}

export type ModelStatus = 'idle' | 'downloading' | 'loading' | 'ready' | 'error';

/** force: download even when the memory planner predicts the model will not fit. */
type Request = ({ spec: string; label?: string } | { files: File[] } | { cachedId: string; label: string }) & { force?: boolean };

/** What the engine has loaded and working: restored when another open fails. */
interface Loaded {
  info: LoadedModelInfo;
  modelId: string;
  label: string;
  source: ModelSource | null;
  fromCache: boolean;
  request: Request;
  config: LoadConfig;
  download: DownloadOptions;
}

export class ModelState {
  #status = $state<ModelStatus>('idle');
  get status(): ModelStatus {
    return this.#status;
  }
  set status(next: ModelStatus) {
    if (next === this.#status) return;
    this.#status = next;
    this.deps.onStatus?.(next);
  }
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

  #engine: EngineApi | null = null;
  #abort: AbortController | null = null;
  #last: { request: Request; config: LoadConfig; download: DownloadOptions } | null = null;
  #loaded: Loaded | null = null;

  private readonly deps: ModelDeps;

  constructor(deps: ModelDeps) {
    this.deps = deps;
  }

  /** The engine, once a model is ready. */
  get engine(): EngineApi | null {
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

  /** Opens a complete cached model by id, straight from the cache (imported files included). */
  openCached(id: string, label: string, config: LoadConfig, download: DownloadOptions): Promise<void> {
    return this.#run({ cachedId: id, label }, config, download);
  }

  /** Stops the download; what is stored stays, so it resumes later. */
  pause(): void {
    if (this.status !== 'downloading') return;
    this.paused = true;
    this.#abort?.abort();
  }

  /** Stops the download and removes what it stored (the worker deletes once the download has stopped). */
  async cancel(): Promise<void> {
    const id = this.source?.id;
    this.paused = false;
    this.#abort?.abort();
    this.progress = null;
    if (id) await this.deps.downloads().delete(id).catch(() => {});
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
      const clients: LoaderClients = {
        engine: (this.#engine ??= this.deps.engine()),
        downloads: this.deps.downloads,
        cacheUsable: this.deps.cacheUsable,
      };
      const onStatus = (st: 'downloading' | 'loading'): void => {
        if (this.#abort === abort) this.status = st;
      };
      let opened: OpenedModel;
      if ('cachedId' in request) {
        this.source = null;
        this.label = request.label;
        opened = await openCachedModel(request.cachedId, config, clients, { onStatus, signal: abort.signal });
      } else {
        opened = await openModel(this.#input(request), config, { ...download, label: this.label }, clients, {
          onStatus,
          onProgress: (p) => {
            if (this.#abort === abort) this.progress = p;
          },
          signal: abort.signal,
          beforeDownload: request.force ? undefined : (i) => this.#checkFits(i, config),
        });
      }
      if (this.#abort !== abort) return;
      this.modelId = opened.id;
      this.info = opened.info;
      if (opened.info.threadsSource === 'measured') rememberThreads(opened.id, opened.info.threads);
      if (opened.info.backendFellBack) this.notice = opened.info.backendReason;
      this.fromCache = opened.fromCache;
      this.#loaded = {
        info: opened.info,
        modelId: opened.id,
        label: this.label,
        source: this.source,
        fromCache: opened.fromCache,
        request,
        config,
        download,
      };
      this.status = 'ready';
      this.deps.onReady?.(opened.info);
    } catch (e) {
      if (this.#abort !== abort) return; // superseded by a newer request
      if (isAbort(e)) {
        if (!this.#restore()) this.status = 'idle';
        return;
      }
      this.fail(e);
    }
  }

  /** The ModelInput of a URL or file request (setting what the status shows about it). */
  #input(request: Request): ModelInput {
    if ('spec' in request) {
      const source = resolveModelSource(request.spec, this.deps.baseUrl());
      this.source = source;
      this.label = request.label ?? source.names[0];
      return { kind: 'url', source };
    }
    if ('files' in request) {
      this.source = null;
      this.label = request.files[0]?.name ?? '';
      return { kind: 'files', files: request.files };
    }
    throw new Error('A cached model has no download input.');
  }

  /**
   * After a failed or cancelled open: the engine still holds the model that worked (it swaps only
   * after a successful load), so show that one as ready again. False when there is none.
   */
  #restore(): boolean {
    const l = this.#loaded;
    if (!l || !this.#engine) return false;
    this.info = l.info;
    this.modelId = l.modelId;
    this.label = l.label;
    this.source = l.source;
    this.fromCache = l.fromCache;
    if (!this.paused) this.progress = null; // a paused download keeps its bar (and Resume)
    this.status = 'ready';
    return true;
  }

  /** Marks the engine unusable (e.g. its worker crashed, or a load or generation stalled); the conversation stays. */
  fail(e: unknown): void {
    this.error = e instanceof AppError ? e : new AppError('load-failed', e instanceof Error ? e.message : String(e));
    if (this.error.kind === 'worker-crashed' || this.error.kind === 'worker-unavailable' || engineStalled(e)) {
      // A stalled engine is handled as a crashed one: wllama's inner worker cannot be told to stop,
      // so the engine worker (and the model it held) is shut down and a new one starts on Try again.
      this.#engine?.terminate();
      this.#engine = null;
      // Try again reloads the model that was working (the conversation lives elsewhere and stays);
      // after a load that stalled, it loads that model again (it may only have been slow).
      const l = this.#loaded;
      const loadStalled = e instanceof StalledError && e.phase === 'load';
      if (l && !loadStalled) this.#last = { request: l.request, config: l.config, download: l.download };
      this.#loaded = null;
    }
    // Interrupted (the network, or a disk that filled up): the chunks already stored are kept, and
    // the bar offers Resume once the connection is back or space is freed.
    if (['network', 'quota', 'storage'].includes(this.error.kind) && (this.progress?.loaded ?? 0) > 0) this.paused = true;
    // A failed open keeps the model that was loaded: it stays ready, with the error shown beside it.
    if (this.#restore()) return;
    this.status = 'error';
  }
}
