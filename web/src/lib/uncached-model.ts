/**
 * Opening a model where IndexedDB is blocked (a cross-site iframe with third-party storage blocked,
 * some private modes). The cache cannot hold it, so the files go straight from the network (or the
 * picked files) into the engine, and nothing is kept: the storage notice (StorageNotice.svelte) says
 * so. The whole file passes through memory once as Blob parts, which the browser may page to disk;
 * there is no resume after a dropped connection, since there is nowhere to keep the part already
 * fetched.
 */
import { AppError, isAbort } from '$workers/lib/errors';
import type { DownloadProgress } from '$workers/lib/download/progress';
import type { LoadConfig } from '$workers/lib/engine/types';
import type { EngineApi } from './engine/engine-client';
import { localModelId } from '$workers/lib/download/import-local';
import type { LoadHooks, ModelInput, OpenedModel } from './model-loader';
import { rememberedThreads } from './engine-prefs';
import { watchDownload, watchLoad } from './watchdog';

/** At most one progress report per interval: a fast local download would otherwise flood the UI. */
const PROGRESS_EVERY_MS = 100;

function progressOf(files: { name: string; loaded: number; total: number }[], startedAt: number): DownloadProgress {
  const loaded = files.reduce((n, f) => n + f.loaded, 0);
  const total = files.every((f) => f.total > 0) ? files.reduce((n, f) => n + f.total, 0) : 0;
  const seconds = (performance.now() - startedAt) / 1000;
  const bytesPerSecond = seconds > 0 ? loaded / seconds : 0;
  const etaSeconds = total > 0 && bytesPerSecond > 0 ? (total - loaded) / bytesPerSecond : null;
  return { phase: 'downloading', loaded, total, files: files.map((f) => ({ ...f })), bytesPerSecond, etaSeconds, resumedFrom: 0 };
}

/** Fetches every file of a model into memory (Blob parts), reporting progress. */
export async function fetchWithoutCache(
  urls: string[],
  names: string[],
  onProgress: (p: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<File[]> {
  const state = names.map((name) => ({ name, loaded: 0, total: 0 }));
  const startedAt = performance.now();
  let lastReport = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < PROGRESS_EVERY_MS) return;
    lastReport = now;
    onProgress(progressOf(state, startedAt));
  };
  const out: File[] = [];
  for (const [i, url] of urls.entries()) {
    let response: Response;
    try {
      response = await fetch(url, { signal });
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new AppError(
        'network',
        `Could not reach ${new URL(url).host} to download ${names[i]} (${e instanceof Error ? e.message : String(e)}). This browser blocks storage here, so nothing was kept; check the connection and the server's CORS settings.`,
      );
    }
    if (response.status === 404) throw new AppError('http-404', `${names[i]} was not found at ${url} (HTTP 404).`);
    if (!response.ok || !response.body) throw new AppError('http-error', `The server answered HTTP ${response.status} for ${names[i]} (${url}).`);
    state[i].total = Number(response.headers.get('Content-Length') ?? 0) || 0;
    const parts: Uint8Array<ArrayBuffer>[] = [];
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      state[i].loaded += value.byteLength;
      report();
    }
    if (state[i].total > 0 && state[i].loaded !== state[i].total) {
      throw new AppError('truncated', `${names[i]} arrived incomplete: ${state[i].loaded} of ${state[i].total} bytes. Nothing was kept, so it downloads again from the start.`);
    }
    state[i].total = state[i].loaded;
    report(true);
    out.push(new File(parts, names[i]));
  }
  return out;
}

/** openModel() for a page without IndexedDB: the same steps, minus the cache. */
export async function openWithoutCache(input: ModelInput, config: LoadConfig, engine: EngineApi, hooks: LoadHooks): Promise<OpenedModel> {
  let files: File[];
  let id: string;
  if (input.kind === 'url') {
    hooks.onStatus('downloading');
    await hooks.beforeDownload?.(input);
    const { urls, names } = input.source;
    const stalled = new AbortController();
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, stalled.signal]) : stalled.signal;
    files = await watchDownload(
      (watch) => {
        watch.step('starting the download');
        return fetchWithoutCache(
          urls,
          names,
          (p) => {
            watch.progress(p);
            hooks.onProgress(p);
          },
          signal,
        );
      },
      () => stalled.abort(new DOMException('The download stalled', 'AbortError')),
    );
    id = input.source.id;
  } else {
    files = input.files;
    id = localModelId(files);
  }
  if (hooks.signal?.aborted) throw hooks.signal.reason;
  hooks.onStatus('loading');
  const remembered = config.threads === undefined ? rememberedThreads(id) : undefined;
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const info = await watchLoad(bytes, (onStep) => engine.load(files, { ...config, rememberedThreads: remembered }, onStep));
  return { id, info, fromCache: false };
}
