/**
 * Cache-first model opening: use the complete cached copy if there is one, otherwise download it
 * (or import picked files) into the cache first; then hand disk-backed Blobs to the engine.
 */
import { deleteModel, markLoadError, openModelFiles, readRecord } from '$workers/lib/cache/model-cache';
import { isFileFault } from '$workers/lib/engine/load-log';
import { AppError } from '$workers/lib/errors';
import type { ModelSource } from '$workers/lib/model-source';
import type { DownloadOptions, DownloadProgress, LoadConfig, LoadedModelInfo } from '$workers/protocol';
import type { DownloadClient } from './engine/download-client';
import { rememberedThreads } from './engine-prefs';
import type { EngineClient } from './engine/engine-client';
import { indexedDBUsable } from './storage-access';
import { openWithoutCache } from './uncached-model';

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

export type ModelInput = { kind: 'url'; source: ModelSource } | { kind: 'files'; files: File[] };

async function cachedFiles(id: string): Promise<File[] | null> {
  const record = await readRecord(id);
  if (!record?.complete) return null;
  try {
    return await openModelFiles(record);
  } catch (e) {
    if (!(e instanceof AppError) || e.kind !== 'storage') throw e;
    await deleteModel(id); // a damaged copy is dropped and fetched again
    return null;
  }
}

/** Asks the browser not to evict the cache under storage pressure (a no-op where it is refused). */
async function requestPersistence(): Promise<void> {
  try {
    if (navigator.storage?.persisted && !(await navigator.storage.persisted())) await navigator.storage.persist();
  } catch {
    // not available (e.g. some embedded contexts): the cache still works, it may just be evicted
  }
}

export async function openModel(
  input: ModelInput,
  config: LoadConfig,
  download: DownloadOptions,
  clients: { engine: EngineClient; download: () => DownloadClient },
  hooks: LoadHooks,
): Promise<OpenedModel> {
  // IndexedDB blocked (cross-site iframe, some private modes): no cache, straight into the engine.
  if (!(await indexedDBUsable())) return openWithoutCache(input, config, clients.engine, hooks);
  let id = input.kind === 'url' ? input.source.id : null;
  let files = id ? await cachedFiles(id) : null;
  const fromCache = files !== null;
  if (!files) {
    hooks.onStatus('downloading');
    await hooks.beforeDownload?.(input);
    await requestPersistence();
    const r =
      input.kind === 'url'
        ? await clients.download().fetchModel(input.source, download, hooks.onProgress, hooks.signal)
        : await clients.download().importFiles(input.files, download, hooks.onProgress, hooks.signal);
    id = r.modelId;
    files = await cachedFiles(id);
    if (!files) throw new AppError('storage', 'The model was stored but could not be read back from storage.');
  }
  if (hooks.signal?.aborted) throw hooks.signal.reason;
  hooks.onStatus('loading');
  return { id: id!, info: await loadCached(id!, files, config, clients.engine), fromCache };
}

/** Opens a complete cached model by its id (an imported file's `local:` id included), no download. */
export async function openCachedModel(id: string, config: LoadConfig, engine: EngineClient, hooks: Pick<LoadHooks, 'onStatus'>): Promise<OpenedModel> {
  const files = await cachedFiles(id);
  if (!files) throw new AppError('storage', 'This model is no longer complete in the cache. Delete it and download (or import) it again.');
  hooks.onStatus('loading');
  return { id, info: await loadCached(id, files, config, engine), fromCache: true };
}

/**
 * Loads cached files; a refusal that is the file's own fault (not the context size or the memory) is
 * written on its cache record, so the storage panel shows it as not loadable; a success clears that.
 */
async function loadCached(id: string, files: File[], config: LoadConfig, engine: EngineClient): Promise<LoadedModelInfo> {
  const remembered = config.threads === undefined ? rememberedThreads(id) : undefined;
  try {
    const info = await engine.load(files, { ...config, rememberedThreads: remembered });
    await markLoadError(id, null).catch(() => {});
    return info;
  } catch (e) {
    if (e instanceof AppError && e.kind === 'load-failed' && isFileFault(e.message)) await markLoadError(id, e.message).catch(() => {});
    throw e;
  }
}
