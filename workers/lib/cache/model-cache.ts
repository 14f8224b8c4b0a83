/** Reading, writing and deleting cached models, over the key schema in schema.ts. */
import { del, get, getMany, promisifyRequest, set } from 'idb-keyval';
import { AppError } from '../errors';
import { cacheStore, chunkKey, chunkRange, modelKey, modelRange, PROBE_TAG, type CachedFile, type ModelRecord } from './schema';

export async function readRecord(id: string): Promise<ModelRecord | undefined> {
  return get<ModelRecord>(modelKey(id), cacheStore());
}

/**
 * A write's rejection, as a storage failure with a name: idb-keyval rejects with the transaction's
 * error, which is null when a browser aborts it without one (WebKit refusing a Blob does).
 */
const writeFailed = (e: unknown): unknown =>
  e ?? Object.assign(new Error('IndexedDB aborted the write without giving a reason (this browser may refuse to store files here).'), { name: 'UnknownError' });

export async function writeRecord(record: ModelRecord): Promise<void> {
  await set(modelKey(record.id), record, cacheStore()).catch((e: unknown) => Promise.reject(writeFailed(e)));
}

/** How chunks are stored here: as Blobs (disk-backed, the normal case) or as ArrayBuffers. */
export type ChunkForm = 'blob' | 'bytes';

let chunkFormProbe: Promise<ChunkForm> | undefined;

/**
 * WebKit in a private or automation session (its IndexedDB lives in memory) aborts every transaction
 * holding a Blob, with no error ("Error preparing Blob/File data to be stored in object store"), but
 * stores ArrayBuffers. Probed once per worker with a 16-byte Blob under a key outside every model's
 * range; where Blobs are refused, chunks are stored as bytes so the cache still works for the session.
 */
export function chunkForm(): Promise<ChunkForm> {
  const key = [PROBE_TAG];
  return (chunkFormProbe ??= set(key, new Blob([new Uint8Array(16)]), cacheStore()).then(
    () => del(key, cacheStore()).then(() => 'blob' as const, () => 'blob' as const),
    () => 'bytes' as const,
  ));
}

export async function writeChunk(id: string, file: number, chunk: number, data: Uint8Array): Promise<void> {
  // slice(): the view may cover part of a larger buffer, and only its own bytes belong in the chunk.
  const value = (await chunkForm()) === 'blob' ? new Blob([data as BlobPart]) : data.slice().buffer;
  await set(chunkKey(id, file, chunk), value, cacheStore()).catch((e: unknown) => Promise.reject(writeFailed(e)));
}

/** A stored chunk as a Blob, whichever form it was stored in (undefined when absent or unreadable). */
const asBlob = (v: unknown): Blob | undefined => (v instanceof Blob ? v : v instanceof ArrayBuffer ? new Blob([v]) : undefined);

export async function readChunk(id: string, file: number, chunk: number): Promise<Blob | undefined> {
  return asBlob(await get<unknown>(chunkKey(id, file, chunk), cacheStore()));
}

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });

/** Removes a model: its record first (so it is never seen half-deleted as complete), then its chunks. */
export async function deleteModel(id: string): Promise<void> {
  await cacheStore()('readwrite', (s) => {
    s.delete(modelKey(id));
    s.delete(chunkRange(id));
    return done(s.transaction);
  });
}

/** Removes the chunks of one file of a model (a download that cannot resume starts that file over). */
export async function deleteFileChunks(id: string, file: number): Promise<void> {
  await cacheStore()('readwrite', (s) => {
    s.delete(chunkRange(id, file));
    return done(s.transaction);
  });
}

/** Removes every cached model and chunk. */
export async function clearAll(): Promise<void> {
  await cacheStore()('readwrite', (s) => {
    s.clear();
    return done(s.transaction);
  });
}

export async function listRecords(): Promise<ModelRecord[]> {
  return cacheStore()('readonly', (s) => promisifyRequest(s.getAll(modelRange()) as IDBRequest<ModelRecord[]>));
}

/** Which chunks of a model are stored, as `${file}:${chunk}`. */
export async function storedChunks(id: string): Promise<Set<string>> {
  const keys = await cacheStore()('readonly', (s) => promisifyRequest(s.getAllKeys(chunkRange(id))));
  return new Set(keys.map((k) => `${(k as unknown[])[2]}:${(k as unknown[])[3]}`));
}

/**
 * Disk-backed Files, one per model file, assembled from the cached chunks without copying their
 * bytes (in memory where chunks are stored as bytes, see chunkForm). Refuses a record that is not complete or whose chunks do not add up.
 */
export async function openModelFiles(record: ModelRecord): Promise<File[]> {
  if (!record.complete) throw new AppError('storage', `The cached copy of ${record.label} is incomplete.`);
  return Promise.all(record.files.map((f, i) => openCachedFile(record.id, i, f)));
}

/** One cached file as a disk-backed File; throws if a chunk is missing or the size is off. */
export async function openCachedFile(id: string, index: number, f: CachedFile): Promise<File> {
  const keys = Array.from({ length: f.chunks }, (_, c) => chunkKey(id, index, c));
  const chunks = (await getMany<unknown>(keys, cacheStore())).map(asBlob);
  if (chunks.some((c) => c === undefined)) {
    throw new AppError('storage', `Part of ${f.name} is missing from the cache; it will be downloaded again.`);
  }
  const file = new File(chunks as Blob[], f.name);
  if (file.size !== f.size) {
    throw new AppError('storage', `The cached ${f.name} has ${file.size} bytes instead of ${f.size}.`);
  }
  return file;
}

/** Records (or, with null, clears) why llama.cpp could not load a cached model; see ModelRecord.loadError. */
export async function markLoadError(id: string, reason: string | null): Promise<void> {
  const record = await readRecord(id);
  if (!record || (record.loadError ?? null) === reason) return;
  const next: ModelRecord = { ...record };
  if (reason === null) delete next.loadError;
  else next.loadError = reason;
  await writeRecord(next);
}
