/**
 * The files the engine loads, from the cache: a complete cached copy is opened as disk-backed Files
 * (no bytes copied); otherwise the model is downloaded (or the picked files imported) first.
 */
import { AppError } from '../errors';
import { deleteModel, openModelFiles, readRecord } from '../cache/model-cache';
import type { ModelSource } from '../model-source';
import type { DownloadOptions } from './defaults';
import type { DownloadProgress } from './progress';
import { fetchModel } from './fetch-model';
import { importLocalFiles } from './import-local';

export interface OpenedFiles {
  modelId: string;
  files: File[];
  fromCache: boolean;
}

/** A complete cached model's Files; null when there is none. A damaged copy is dropped (to be fetched again). */
export async function openComplete(id: string): Promise<File[] | null> {
  const record = await readRecord(id);
  if (!record?.complete) return null;
  try {
    return await openModelFiles(record);
  } catch (e) {
    if (!(e instanceof AppError) || e.kind !== 'storage') throw e;
    await deleteModel(id);
    return null;
  }
}

const readBack = async (id: string): Promise<File[]> => {
  const files = await openComplete(id);
  if (!files) throw new AppError('storage', 'The model was stored but could not be read back from storage.');
  return files;
};

export async function ensureDownloaded(
  source: ModelSource,
  options: DownloadOptions,
  signal: AbortSignal,
  onProgress: (p: DownloadProgress) => void,
): Promise<OpenedFiles> {
  const cached = await openComplete(source.id);
  if (cached) return { modelId: source.id, files: cached, fromCache: true };
  await fetchModel({ source, options, signal, onProgress });
  return { modelId: source.id, files: await readBack(source.id), fromCache: false };
}

export async function ensureImported(
  picked: File[],
  options: DownloadOptions,
  signal: AbortSignal,
  onProgress: (p: DownloadProgress) => void,
): Promise<OpenedFiles> {
  const { modelId } = await importLocalFiles(picked, options, signal, onProgress);
  return { modelId, files: await readBack(modelId), fromCache: false };
}

/** A complete cached model by id (an imported file's `local:` id included), never downloaded. */
export async function openCachedById(id: string): Promise<OpenedFiles> {
  const files = await openComplete(id);
  if (!files) throw new AppError('storage', 'This model is no longer complete in the cache. Delete it and download (or import) it again.');
  return { modelId: id, files, fromCache: true };
}
