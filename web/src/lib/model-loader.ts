/**
 * Opening a model: its files come from the download worker (the cache's only owner: a complete
 * cached copy, or a download or import into the cache first), then go to the engine as disk-backed
 * Blobs. Where IndexedDB is blocked, the files go straight from the network into the engine.
 */
import { isFileFault } from '$workers/lib/engine/load-log';
import { AppError } from '$workers/lib/errors';
import type { DownloadOptions } from '$workers/lib/download/defaults';
import type { DownloadProgress } from '$workers/lib/download/progress';
import type { LoadConfig, LoadedModelInfo } from '$workers/lib/engine/types';
import type { DownloadsApi, EnsuredModel, ModelInput } from './engine/download-client';
import type { EngineApi } from './engine/engine-client';
import { rememberedThreads } from './engine-prefs';
import { openWithoutCache } from './uncached-model';
import { watchDownload, watchLoad } from './watchdog';

export type { ModelInput };

export interface LoadHooks {
  onStatus: (status: 'downloading' | 'loading') => void;
  onProgress: (p: DownloadProgress) => void;
  /** Runs before anything is downloaded; throws to refuse (e.g. the model cannot fit in memory). */
  beforeDownload?: (input: ModelInput) => Promise<void>;
  signal?: AbortSignal;
}

export interface OpenedModel {
  id: string;
  info: LoadedModelInfo;
  fromCache: boolean;
}

export interface LoaderClients {
  engine: EngineApi;
  downloads: () => DownloadsApi;
  /** Whether IndexedDB works here (storage-access.ts); false sends files straight to the engine. */
  cacheUsable: () => Promise<boolean>;
}

/**
 * Asks the browser not to evict the cache under storage pressure, without waiting for the answer:
 * Firefox answers persist() only once the user has answered its permission prompt (headless, never),
 * so awaiting it would hold the download forever. Refused or unavailable, the cache still works; the
 * browser may just evict it when the disk runs low.
 */
function requestPersistence(): void {
  try {
    const storage = globalThis.navigator?.storage;
    if (!storage?.persisted || !storage.persist) return;
    void storage
      .persisted()
      .then((kept) => (kept ? true : storage.persist()))
      .catch(() => false);
  } catch {
    // some embedded contexts throw on access: nothing to ask
  }
}

export async function openModel(
  input: ModelInput,
  config: LoadConfig,
  download: DownloadOptions,
  clients: LoaderClients,
  hooks: LoadHooks,
): Promise<OpenedModel> {
  // IndexedDB blocked (cross-site iframe, some private modes): no cache, straight into the engine.
  if (!(await clients.cacheUsable())) return openWithoutCache(input, config, clients.engine, hooks);
  const stalled = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, stalled.signal]) : stalled.signal;
  const model = await watchDownload(
    (watch) =>
      clients.downloads().ensure(input, download, {
        onProgress: (p) => {
          watch.progress(p);
          hooks.onProgress(p);
        },
        signal,
        beforeDownload: async (i) => {
          hooks.onStatus('downloading');
          watch.step('checking that the model fits in memory');
          await hooks.beforeDownload?.(i);
          watch.step('starting the download');
          requestPersistence();
        },
      }),
    () => stalled.abort(new DOMException('The download stalled', 'AbortError')),
  );
  return loadOpened(model, config, clients, hooks);
}

/** Opens a complete cached model by its id (an imported file's `local:` id included), no download. */
export async function openCachedModel(id: string, config: LoadConfig, clients: LoaderClients, hooks: Pick<LoadHooks, 'onStatus' | 'signal'>): Promise<OpenedModel> {
  // Reading the cache has no progress of its own: the download watchdog covers a store that never answers.
  const model = await watchDownload(() => clients.downloads().openCached(id), () => {});
  return loadOpened(model, config, clients, hooks);
}

/**
 * Loads the files; a refusal that is the file's own fault (not the context size or the memory) is
 * written on its cache record, so the storage panel shows it as not loadable; a success clears that.
 */
async function loadOpened(model: EnsuredModel, config: LoadConfig, clients: LoaderClients, hooks: Pick<LoadHooks, 'onStatus' | 'signal'>): Promise<OpenedModel> {
  if (hooks.signal?.aborted) throw hooks.signal.reason;
  hooks.onStatus('loading');
  const { modelId: id, files } = model;
  const remembered = config.threads === undefined ? rememberedThreads(id) : undefined;
  const downloads = clients.downloads();
  try {
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const info = await watchLoad(bytes, (onStep) => clients.engine.load(files, { ...config, rememberedThreads: remembered }, onStep));
    await downloads.markLoadError(id, null).catch(() => {});
    return { id, info, fromCache: model.fromCache };
  } catch (e) {
    if (e instanceof AppError && e.kind === 'load-failed' && isFileFault(e.message)) await downloads.markLoadError(id, e.message).catch(() => {});
    throw e;
  }
}
