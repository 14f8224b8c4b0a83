/// <reference lib="webworker" />
/**
 * Reads model Blobs into the own engine's shared wasm memory for the engine worker, which waits for
 * each read (blob-reads.ts). Reading here, asynchronously, lets the browser stream the files while
 * llama.cpp waits (blob-stream-reader.ts) and keeps no model-sized garbage: read synchronously inside
 * llama.cpp's load (WORKERFS), every read's ArrayBuffer stayed alive until the whole load returned.
 */
import type { ReadRequest, ReadSetup } from './blob-reads';
import { BlobStreamReader } from './blob-stream-reader';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let reader = new BlobStreamReader([]);
scope.onmessage = async (ev: MessageEvent<ReadRequest | ReadSetup>) => {
  if ('blobs' in ev.data) {
    reader = new BlobStreamReader(ev.data.blobs);
    scope.postMessage('ready');
    return;
  }
  const { file, start, length, heap, ptr, ctl } = ev.data;
  const state = new Int32Array(ctl);
  const times = { waitMs: 0, copyMs: 0 };
  try {
    const done = await reader.read(file, start, new Uint8Array(heap, ptr, length), times);
    Atomics.store(state, 1, done);
    Atomics.store(state, 2, Math.round(times.waitMs * 1000));
    Atomics.store(state, 3, Math.round(times.copyMs * 1000));
    Atomics.store(state, 0, 1);
  } catch {
    Atomics.store(state, 0, 2);
  }
  Atomics.notify(state, 0);
};
