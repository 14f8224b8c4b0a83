/**
 * The model cache's key schema, the one place that knows how models live in IndexedDB.
 *
 * Database `starling-playground`, object store `cache` (through idb-keyval), schema version 1:
 *   ['model', modelId]                      -> ModelRecord; `complete: true` is written last, after
 *                                              every chunk is stored and verified
 *   ['chunk', modelId, fileIndex, chunkNo]  -> Blob with bytes [chunkNo * chunkBytes, …) of that file,
 *                                              or an ArrayBuffer where the browser refuses Blobs in
 *                                              IndexedDB (WebKit private/automation; see chunkForm)
 *   ['probe']                                -> written and deleted once per worker by chunkForm
 * modelId is the absolute URL of the model's first file (or `local:<name>:<size>:<mtime>` for an
 * imported file). Array keys sort by their parts, so one model's chunks form one contiguous key range.
 * A record with `complete: false` is a download in progress or interrupted: its stored chunks are
 * kept so the download resumes where it stopped.
 */
import { createStore, type UseStore } from 'idb-keyval';

export const DB_NAME = 'starling-playground';
export const STORE_NAME = 'cache';
export const SCHEMA_VERSION = 1;

export type Verification = 'sha256' | 'size-etag' | 'size';

export interface CachedFile {
  /** File name as the engine sees it (shard names keep their -0000N-of-0000M suffix). */
  name: string;
  /** Where it came from ('' for an imported local file). */
  url: string;
  size: number;
  chunkBytes: number;
  chunks: number;
  etag?: string;
  lastModified?: string;
  /** The server answers Range requests, so the download can resume chunk by chunk. */
  rangeSupported: boolean;
  /** ...but does not expose Content-Range to scripts: chunks are checked by length and Last-Modified. */
  rangeHidden?: boolean;
  /** The published SHA-256 (hex), when known. */
  expectedSha256?: string;
  /** SHA-256 (hex) of the stored bytes, once every chunk is in. */
  sha256?: string;
  /** How the stored bytes were checked once complete. */
  verifiedBy?: Verification;
  /** SHA-256 (hex) of each stored chunk: finds a damaged chunk when the file's hash does not match. */
  chunkSha256?: (string | null)[];
  /** hash-wasm SHA-256 state after the first `hashedChunks` chunks, so hashing resumes with the download. */
  hashState?: Uint8Array;
  hashedChunks?: number;
}

export interface ModelRecord {
  schema: typeof SCHEMA_VERSION;
  id: string;
  /** A name to show (the first file's name unless a catalogue gives one). */
  label: string;
  origin: 'url' | 'local';
  files: CachedFile[];
  bytes: number;
  complete: boolean;
  /**
   * llama.cpp refused this file (unknown architecture, a missing tensor…): its reason, set by the
   * page after a failed load and cleared by a successful one. Such a model is not offered as ready.
   */
  loadError?: string;
  createdAt: number;
  updatedAt: number;
}

/** The first part of every key: what kind of entry it is. */
export const MODEL_TAG = 'model';
export const CHUNK_TAG = 'chunk';
export const PROBE_TAG = 'probe';

export type ModelKey = [typeof MODEL_TAG, string];
export type ChunkKey = [typeof CHUNK_TAG, string, number, number];

export const modelKey = (id: string): ModelKey => [MODEL_TAG, id];
export const chunkKey = (id: string, file: number, chunk: number): ChunkKey => [CHUNK_TAG, id, file, chunk];

/** Key range holding every chunk of one model (or, with `file`, of one of its files). */
export const chunkRange = (id: string, file?: number): IDBKeyRange =>
  file === undefined
    ? IDBKeyRange.bound([CHUNK_TAG, id], [CHUNK_TAG, id, []])
    : IDBKeyRange.bound([CHUNK_TAG, id, file], [CHUNK_TAG, id, file, []]);

export const modelRange = (): IDBKeyRange => IDBKeyRange.bound([MODEL_TAG], [MODEL_TAG, []]);

let store: UseStore | undefined;
export const cacheStore = (): UseStore => (store ??= createStore(DB_NAME, STORE_NAME));
