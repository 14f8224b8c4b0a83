/**
 * The model cache's key schema, the one place that knows how models live in IndexedDB.
 *
 * Database `starling-playground`, object store `cache` (through idb-keyval), schema version 1:
 *   ['model', modelId]                      -> ModelRecord (written last; `complete` says it is usable)
 *   ['chunk', modelId, fileIndex, chunkNo]  -> Blob with bytes [chunkNo * chunkBytes, ...) of that file
 * modelId is the absolute URL of the model's first file. Array keys sort by their parts, so one
 * model's chunks form a contiguous key range and can be deleted in one request.
 */
import { createStore, type UseStore } from 'idb-keyval';

export const DB_NAME = 'starling-playground';
export const STORE_NAME = 'cache';
export const SCHEMA_VERSION = 1;

export interface CachedFile {
  /** File name as the engine sees it (shard names keep their -0000N-of-0000M suffix). */
  name: string;
  url: string;
  size: number;
  chunkBytes: number;
  chunks: number;
  etag?: string;
}

export interface ModelRecord {
  schema: typeof SCHEMA_VERSION;
  id: string;
  files: CachedFile[];
  bytes: number;
  complete: boolean;
  createdAt: number;
}

export type ModelKey = ['model', string];
export type ChunkKey = ['chunk', string, number, number];

export const modelKey = (id: string): ModelKey => ['model', id];
export const chunkKey = (id: string, file: number, chunk: number): ChunkKey => ['chunk', id, file, chunk];

/** Key range holding every chunk of one model. */
export const modelChunkRange = (id: string): IDBKeyRange => IDBKeyRange.bound(['chunk', id], ['chunk', id, []]);

let store: UseStore | undefined;
export const cacheStore = (): UseStore => (store ??= createStore(DB_NAME, STORE_NAME));
