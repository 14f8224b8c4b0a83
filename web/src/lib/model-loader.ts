/**
 * Cache-first model opening: use the complete cached copy if there is one, otherwise download it
 * into the cache first; then hand disk-backed Blobs to the engine.
 */
import { deleteModel, openModelFiles, readRecord } from '../../../workers/lib/cache/model-cache';
import { AppError } from '../../../workers/lib/errors';
import type { ModelSource } from '../../../workers/lib/model-source';
import type { DownloadProgress, LoadConfig, LoadedModelInfo } from '../../../workers/protocol';
import type { DownloadClient } from './engine/download-client';
import type { EngineClient } from './engine/engine-client';

export interface LoadHooks {
  onStatus: (status: 'downloading' | 'loading') => void;
  onProgress: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface OpenedModel {
  info: LoadedModelInfo;
  files: File[];
  fromCache: boolean;
}

async function cachedFiles(source: ModelSource): Promise<File[] | null> {
  const record = await readRecord(source.id);
  if (!record?.complete) return null;
  try {
    return await openModelFiles(record);
  } catch (e) {
    if (!(e instanceof AppError) || e.kind !== 'storage') throw e;
    await deleteModel(source.id); // a damaged copy is dropped and fetched again
    return null;
  }
}

export async function openModel(
  source: ModelSource,
  config: LoadConfig,
  clients: { engine: EngineClient; download: () => DownloadClient },
  hooks: LoadHooks,
): Promise<OpenedModel> {
  let files = await cachedFiles(source);
  const fromCache = files !== null;
  if (!files) {
    hooks.onStatus('downloading');
    await clients.download().fetchModel(source, hooks.onProgress, hooks.signal);
    files = await cachedFiles(source);
    if (!files) throw new AppError('storage', 'The model was downloaded but could not be read back from storage.');
  }
  hooks.onStatus('loading');
  const info = await clients.engine.load(files, config);
  return { info, files, fromCache };
}
