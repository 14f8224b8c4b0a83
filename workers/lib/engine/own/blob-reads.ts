/**
 * The own engine reads a model from its cached Blobs through Emscripten's WORKERFS, synchronously,
 * inside llama.cpp's load. WORKERFS makes each read a FileReaderSync ArrayBuffer, and none of them can
 * be collected until the load returns to the event loop: the renderer held the weights twice at its
 * peak (5.5 GB for the 3.1 GB scale model). With shared memory (the threaded build), reads go to a
 * helper worker instead (blob-reader.worker.ts), which copies each chunk straight into the wasm heap
 * while this worker waits on an Atomics flag; its own event loop frees the chunks as it goes.
 * Without shared memory (the single-threaded build) WORKERFS reads as before.
 */
import type { OwnModule } from './module';

/** The longest one read may take (a read is at most one tensor, tens of MB). */
const READ_TIMEOUT_MS = 60_000;

/** Sent once, before the load blocks this worker: the model's files (a Blob sent while it blocks never arrived). */
export interface ReadSetup {
  blobs: Blob[];
}

export interface ReadRequest {
  /** Index into ReadSetup.blobs. */
  file: number;
  start: number;
  length: number;
  /** The wasm memory (a SharedArrayBuffer; sent each time, since growing the memory replaces it). */
  heap: SharedArrayBuffer;
  ptr: number;
  /** Int32 [state (0 waiting, 1 done, 2 failed), bytes read]. */
  ctl: SharedArrayBuffer;
}

interface WorkerFsStream {
  node: { contents: Blob; size: number };
}
type ReadFn = (stream: WorkerFsStream, buffer: Uint8Array | Int8Array, offset: number, length: number, position: number) => number;
interface WorkerFs {
  stream_ops: { read: ReadFn };
}

/**
 * Sends this instance's WORKERFS reads to a helper worker, once it has started (a worker started by a
 * thread that then blocks would never start); returns how to stop it. Null: no shared memory here, or
 * the helper did not start (WORKERFS then reads as before).
 */
export async function readBlobsThroughHelper(m: OwnModule, blobs: Blob[]): Promise<(() => void) | null> {
  const heapOf = (): SharedArrayBuffer | null => (typeof SharedArrayBuffer !== 'undefined' && m.HEAPU8.buffer instanceof SharedArrayBuffer ? m.HEAPU8.buffer : null);
  if (!heapOf()) return null;
  const fs = m.FS.filesystems.WORKERFS as WorkerFs;
  const original = fs.stream_ops.read;
  const helper = new Worker(new URL('./blob-reader.worker.ts', import.meta.url), { type: 'module', name: 'blob-reader' });
  helper.postMessage({ blobs } satisfies ReadSetup);
  // It answers once it has the files.
  const started = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    helper.onmessage = () => (clearTimeout(t), resolve(true));
    helper.onerror = () => (clearTimeout(t), resolve(false));
  });
  if (!started) {
    helper.terminate();
    return null;
  }
  const ctl = new SharedArrayBuffer(8);
  const state = new Int32Array(ctl);
  fs.stream_ops.read = (stream, buffer, offset, length, position) => {
    const heap = heapOf();
    // Only reads into the wasm heap itself (llama.cpp's), of real length, go through the helper.
    const file = blobs.indexOf(stream.node.contents);
    if (!heap || buffer.buffer !== heap || length <= 0 || file < 0) return original(stream, buffer, offset, length, position);
    if (position >= stream.node.size) return 0;
    Atomics.store(state, 0, 0);
    helper.postMessage({ file, start: position, length: Math.min(length, stream.node.size - position), heap, ptr: buffer.byteOffset + offset, ctl } satisfies ReadRequest);
    // A helper that died would leave this worker waiting for ever: a read that takes a minute fails the load.
    if (Atomics.wait(state, 0, 0, READ_TIMEOUT_MS) === 'timed-out') throw new Error(`reading the model file at byte ${position} took over ${READ_TIMEOUT_MS / 1000} s`);
    if (Atomics.load(state, 0) !== 1) throw new Error(`could not read the model file at byte ${position}`);
    return Atomics.load(state, 1);
  };
  return () => {
    fs.stream_ops.read = original;
    helper.terminate();
  };
}
