/// <reference lib="webworker" />
/**
 * Reads model Blobs into the own engine's shared wasm memory for the engine worker, which waits for
 * each read (blob-reads.ts). Reading here, asynchronously, lets this worker's event loop collect each
 * chunk's ArrayBuffer as it goes; read synchronously inside llama.cpp's load (WORKERFS), every read's
 * ArrayBuffer stayed alive until the whole load returned: about the model's size again.
 * (A Blob stream per file was faster, but stalled now and then on a file just downloaded.)
 */
import type { ReadRequest, ReadSetup } from './blob-reads';

/** Bytes per Blob read: the largest temporary this worker holds at once. */
const CHUNK = 8 << 20;

const scope = self as unknown as DedicatedWorkerGlobalScope;
let blobs: Blob[] = [];
scope.onmessage = async (ev: MessageEvent<ReadRequest | ReadSetup>) => {
  if ('blobs' in ev.data) {
    blobs = ev.data.blobs;
    scope.postMessage('ready');
    return;
  }
  const { file, start, length, heap, ptr, ctl } = ev.data;
  const blob = blobs[file];
  const state = new Int32Array(ctl);
  let done = 0;
  let readMs = 0;
  let copyMs = 0;
  try {
    while (done < length) {
      const n = Math.min(CHUNK, length - done);
      const t0 = performance.now();
      const ab = await blob.slice(start + done, start + done + n).arrayBuffer();
      const t1 = performance.now();
      new Uint8Array(heap, ptr + done, ab.byteLength).set(new Uint8Array(ab));
      readMs += t1 - t0;
      copyMs += performance.now() - t1;
      done += ab.byteLength;
      if (ab.byteLength < n) break; // the end of the Blob
    }
    Atomics.store(state, 1, done);
    Atomics.store(state, 2, Math.round(readMs * 1000));
    Atomics.store(state, 3, Math.round(copyMs * 1000));
    Atomics.store(state, 0, 1);
  } catch {
    Atomics.store(state, 0, 2);
  }
  Atomics.notify(state, 0);
};
