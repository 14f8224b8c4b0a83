/// <reference lib="webworker" />
/**
 * Reads model Blobs into the own engine's shared wasm memory for the engine worker, which waits for
 * each read (blob-reads.ts). Reading here, asynchronously, lets this worker's event loop collect each
 * block's ArrayBuffer as it goes; read synchronously inside llama.cpp's load (WORKERFS), every read's
 * ArrayBuffer stayed alive until the whole load returned: about the model's size again.
 */
import type { ReadRequest, ReadSetup } from './blob-reads';
import { BlockReader } from './block-reader';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let reader = new BlockReader([]);
scope.onmessage = async (ev: MessageEvent<ReadRequest | ReadSetup>) => {
  if ('blobs' in ev.data) {
    reader = new BlockReader(ev.data.blobs);
    // llama.cpp starts with the first file's header: its blocks arrive while the engine starts.
    reader.prefetch(0, 0);
    scope.postMessage('ready');
    return;
  }
  const { file, start, length, heap, ptr, window, aside, ctl } = ev.data;
  const state = new Int32Array(ctl);
  try {
    const times = { readMs: 0, copyMs: 0 };
    const dest = new Uint8Array(heap, ptr, length);
    const done = aside ? await reader.readAside(file, start, dest, times) : await reader.read(file, start, dest, times);
    const more = window && done === length ? await reader.read(file, start + done, new Uint8Array(window), times) : 0;
    Atomics.store(state, 1, done);
    Atomics.store(state, 5, more);
    Atomics.store(state, 2, Math.round(times.readMs * 1000));
    Atomics.store(state, 3, Math.round(times.copyMs * 1000));
    Atomics.store(state, 4, reader.stalls);
    Atomics.store(state, 0, 1);
  } catch {
    Atomics.store(state, 0, 2);
  }
  Atomics.notify(state, 0);
};
