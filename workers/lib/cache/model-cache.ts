/** Reading, writing and deleting cached models, over the key schema in schema.ts. */
import { del, get, getMany, promisifyRequest, set } from 'idb-keyval';
import { AppError } from '../errors';
import { cacheStore, chunkKey, modelChunkRange, modelKey, type CachedFile, type ModelRecord } from './schema';

export async function readRecord(id: string): Promise<ModelRecord | undefined> {
  return get<ModelRecord>(modelKey(id), cacheStore());
}

export async function writeRecord(record: ModelRecord): Promise<void> {
  await set(modelKey(record.id), record, cacheStore());
}

export async function writeChunk(id: string, file: number, chunk: number, blob: Blob): Promise<void> {
  await set(chunkKey(id, file, chunk), blob, cacheStore());
}

/** Removes a model's record first (so it is never seen half-deleted as complete), then its chunks. */
export async function deleteModel(id: string): Promise<void> {
  await del(modelKey(id), cacheStore());
  await cacheStore()('readwrite', (s) => {
    s.delete(modelChunkRange(id));
    return new Promise<void>((resolve, reject) => {
      s.transaction.oncomplete = () => resolve();
      s.transaction.onerror = () => reject(s.transaction.error);
    });
  });
}

export async function listRecords(): Promise<ModelRecord[]> {
  const range = IDBKeyRange.bound(['model'], ['model', []]);
  return cacheStore()('readonly', (s) => promisifyRequest(s.getAll(range) as IDBRequest<ModelRecord[]>));
}

/**
 * Disk-backed Blobs, one per file, assembled from the cached chunks without copying their bytes.
 * Refuses a record that is not complete or whose chunks do not add up.
 */
export async function openModelFiles(record: ModelRecord): Promise<File[]> {
  if (!record.complete) throw new AppError('storage', `The cached copy of ${record.id} is incomplete.`);
  return Promise.all(record.files.map((f, i) => openCachedFile(record.id, i, f)));
}

/** One cached file as a disk-backed File; throws if a chunk is missing or the size is off. */
export async function openCachedFile(id: string, index: number, f: CachedFile): Promise<File> {
  const keys = Array.from({ length: f.chunks }, (_, c) => chunkKey(id, index, c));
  const chunks = await getMany<Blob | undefined>(keys, cacheStore());
  if (chunks.some((c) => !(c instanceof Blob))) {
    throw new AppError('storage', `Part of ${f.name} is missing from the cache; it will be downloaded again.`);
  }
  const file = new File(chunks as Blob[], f.name);
  if (file.size !== f.size) {
    throw new AppError('storage', `The cached ${f.name} has ${file.size} bytes instead of ${f.size}.`);
  }
  return file;
}
