/**
 * The own engine reads a model from its cached Blobs through Emscripten's WORKERFS, synchronously,
 * inside llama.cpp's load. WORKERFS makes each read a FileReaderSync ArrayBuffer, and none of them can
 * be collected until the load returns to the event loop: the renderer held the weights twice at its
 * peak (5.5 GB for the 3.1 GB scale model). With shared memory (the threaded build), reads go to a
 * helper worker instead (blob-reader.worker.ts), which copies each chunk straight into the wasm heap
 * while this worker waits on an Atomics flag; its own event loop frees the chunks as it goes.
 * Without shared memory (the single-threaded build) WORKERFS reads as before.
 */
import { canThread, type OwnModule } from './module';

/** The longest one read may take (a read is at most one tensor, tens of MB). */
const READ_TIMEOUT_MS = 60_000;
/**
 * Reads up to this size are served from a window of the file (ReadWindow). llama.cpp reads through
 * stdio's 1 KB buffer: the parse of the headers, and the last bytes of every tensor, were about 1,500
 * reads of 1.4 KB for the scale model.
 */
const SMALL_READ = 64 << 10;
const WINDOW = 256 << 10;

/** Sent once, before the load blocks this worker: the model's files (a Blob sent while it blocks never arrived). */
export interface ReadSetup {
  blobs: Blob[];
}

export interface ReadRequest {
  /** Index into ReadSetup.blobs. */
  file: number;
  start: number;
  length: number;
  /** Where to copy to: the wasm memory (sent each time, since growing the memory replaces its buffer), or ReadWindow's buffer. */
  heap: SharedArrayBuffer;
  ptr: number;
  /** Then also the bytes that follow, into ReadWindow's buffer from its start (up to its size). */
  window?: SharedArrayBuffer;
  /** A fill of ReadWindow for a small read: read aside, leaving the blocks read ahead in place (BlockReader.readAside). */
  aside?: boolean;
  /** Int32 [state (0 waiting, 1 done, 2 failed), bytes read, µs waiting for Blob reads, µs copying into the heap, block streams that stalled so far, bytes put in the window]. */
  ctl: SharedArrayBuffer;
}

/** What the load's reads cost, for its timings (LoadPhase). */
export interface ReadStats {
  reads: number;
  bytes: number;
  /** The engine worker's wait for all reads. */
  waitMs: number;
  /** Of that, the helper's waits for Blob reads, and its copies into the wasm heap. */
  readMs: number;
  copyMs: number;
  /** Blocks whose stream stalled, read another way (block-reader.ts). */
  stalls: number;
  /** llama.cpp's small reads (the headers, and stdio's refill after each tensor), served from ReadWindow, and the time they took in all. */
  smallReads: number;
  smallMs: number;
  /** Of the small reads, those the window did not hold (each a round trip to the helper that filled it). */
  windowFills: number;
}

interface WorkerFsStream {
  node: { contents: Blob; size: number };
}
type ReadFn = (stream: WorkerFsStream, buffer: Uint8Array | Int8Array, offset: number, length: number, position: number) => number;
interface WorkerFs {
  stream_ops: { read: ReadFn };
}

/**
 * Answers WORKERFS's reads of no bytes without reading. musl's stdio asks for them (a readv whose
 * first part is empty: an fread of one byte, the refill of its buffer), and WORKERFS makes each a
 * FileReaderSync read of an empty slice: in Chromium about 260 ms of the demo model's 400 ms load,
 * for its 32,002-token vocabulary's arrays (a CPU profile of the engine worker). Both builds; once per
 * instance, before readBlobsThroughHelper, which then calls this for reads it does not take.
 */
export function skipEmptyReads(m: Pick<OwnModule, 'FS'>): void {
  const fs = m.FS.filesystems.WORKERFS as WorkerFs;
  const read = fs.stream_ops.read;
  fs.stream_ops.read = (stream, buffer, offset, length, position) => (length <= 0 ? 0 : read(stream, buffer, offset, length, position));
}

/**
 * Where no helper reads (the single-threaded build, or a helper that did not start), WORKERFS reads
 * each request with FileReaderSync, llama.cpp's 1,100 small reads of a Starling-vocabulary model too
 * (its headers, and stdio's refill after each tensor). They are served from a window of the file
 * instead, filled by one FileReaderSync read of WINDOW bytes; larger reads go to WORKERFS as before.
 * With skipEmptyReads, the demo model's weights step in Chromium went from 900-950 to 185-280 ms.
 */
export function windowSmallReads(
  m: Pick<OwnModule, 'FS'>,
  readSlice: (slice: Blob) => ArrayBuffer = (slice) => new FileReaderSync().readAsArrayBuffer(slice),
): void {
  const fs = m.FS.filesystems.WORKERFS as WorkerFs;
  const read = fs.stream_ops.read;
  const window = new ReadWindow(new ArrayBuffer(WINDOW));
  const bytes = new Uint8Array(window.buffer);
  const blobs: Blob[] = [];
  fs.stream_ops.read = (stream, buffer, offset, length, position) => {
    if (length <= 0 || length > SMALL_READ) return read(stream, buffer, offset, length, position);
    const blob = stream.node.contents;
    const file = blobs.includes(blob) ? blobs.indexOf(blob) : blobs.push(blob) - 1;
    const dest = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);
    return window.read(file, position, dest, stream.node.size, (start, n) => {
      const got = new Uint8Array(readSlice(blob.slice(start, start + n)));
      bytes.set(got);
      return got.length;
    });
  };
}

/** The helper worker, started and given the model's files (startReadHelper). */
export interface ReadHelper {
  worker: Worker;
  blobs: Blob[];
}

/**
 * Starts the helper worker and gives it the model's files, so that it is ready (and reading the first
 * blocks) while the engine starts; null where there is no shared memory, or it did not start (WORKERFS
 * then reads as before). It must start before the load: a worker started by a thread that then blocks
 * would never start.
 */
export async function startReadHelper(blobs: Blob[]): Promise<ReadHelper | null> {
  if (!canThread()) return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./blob-reader.worker.ts', import.meta.url), { type: 'module', name: 'blob-reader' });
    worker.postMessage({ blobs } satisfies ReadSetup);
  } catch {
    return null;
  }
  // It answers once it has the files.
  const started = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    worker.onmessage = () => (clearTimeout(t), resolve(true));
    worker.onerror = () => (clearTimeout(t), resolve(false));
  });
  if (started) return { worker, blobs };
  worker.terminate();
  return null;
}

/**
 * Sends this instance's WORKERFS reads to the helper; returns how to stop it (which also ends the
 * helper). Null where the module's memory is not shared (the helper is then ended).
 */
export function readBlobsThroughHelper(m: OwnModule, h: ReadHelper): { stop: () => void; stats: ReadStats } | null {
  const heapOf = (): SharedArrayBuffer | null => (typeof SharedArrayBuffer !== 'undefined' && m.HEAPU8.buffer instanceof SharedArrayBuffer ? m.HEAPU8.buffer : null);
  if (!heapOf()) {
    h.worker.terminate();
    return null;
  }
  const { worker: helper, blobs } = h;
  const fs = m.FS.filesystems.WORKERFS as WorkerFs;
  const original = fs.stream_ops.read;
  const ctl = new SharedArrayBuffer(24);
  const state = new Int32Array(ctl);
  const stats: ReadStats = { reads: 0, bytes: 0, waitMs: 0, readMs: 0, copyMs: 0, stalls: 0, smallReads: 0, smallMs: 0, windowFills: 0 };
  const windowBuffer = new SharedArrayBuffer(WINDOW);
  const window = new ReadWindow(windowBuffer);
  /**
   * One round trip: the helper copies [start, start + n) of file and returns the bytes copied. Into
   * the heap at ptr (a tensor), and then the bytes after them into the window; or into the window (a
   * fill for small reads, read aside from the tensors' run).
   */
  const request = (file: number, start: number, n: number, into: { heap: SharedArrayBuffer; ptr: number } | 'window'): number => {
    Atomics.store(state, 0, 0);
    const t0 = performance.now();
    const fill = into === 'window';
    if (fill) stats.windowFills++;
    const target = fill ? { heap: windowBuffer, ptr: 0, aside: true } : { ...into, window: windowBuffer };
    helper.postMessage({ file, start, length: n, ctl, ...target } satisfies ReadRequest);
    if (!fill) prefault(into.heap, into.ptr, n, state);
    // A helper that died would leave this worker waiting for ever: a read that takes a minute fails the load.
    if (Atomics.wait(state, 0, 0, READ_TIMEOUT_MS) === 'timed-out') throw new BlobReadError(`reading file ${file + 1} at byte ${start} took over ${READ_TIMEOUT_MS / 1000} s`);
    if (Atomics.load(state, 0) !== 1) throw new BlobReadError(`file ${file + 1} could not be read at byte ${start}`);
    stats.reads++;
    stats.bytes += Atomics.load(state, 1);
    stats.waitMs += performance.now() - t0;
    stats.readMs += Atomics.load(state, 2) / 1000;
    stats.copyMs += Atomics.load(state, 3) / 1000;
    stats.stalls = Atomics.load(state, 4);
    const got = Atomics.load(state, 1);
    if (!fill) window.adopt(file, start + got, Atomics.load(state, 5));
    return got;
  };
  fs.stream_ops.read = (stream, buffer, offset, length, position) => {
    const heap = heapOf();
    // Only reads into the wasm heap itself (llama.cpp's), of real length, go through the helper.
    const file = blobs.indexOf(stream.node.contents);
    if (!heap || buffer.buffer !== heap || length <= 0 || file < 0) return original(stream, buffer, offset, length, position);
    if (position >= stream.node.size) return 0;
    const n = Math.min(length, stream.node.size - position);
    const ptr = buffer.byteOffset + offset;
    // stdio reads a large fread's last bytes again with its 1 KB buffer (musl's readv of [dest, buffer]):
    // the window gets the bytes after this read now, in the same round trip.
    if (n > SMALL_READ) return request(file, position, n, { heap, ptr });
    const t0 = performance.now();
    const got = window.read(file, position, new Uint8Array(heap, ptr, n), stream.node.size, (start, len) => request(file, start, len, 'window'));
    stats.smallReads++;
    stats.smallMs += performance.now() - t0;
    return got;
  };
  /**
   * While the helper fills the destination from its start, this worker (which would only wait) writes
   * to each of its pages from the end: the first write to a fresh page of the heap is a page fault,
   * and faults were most of the copy's time (3.7 of 4.0 s for the 3.1 GB scale model). A
   * compare-exchange of 0 with 0 changes nothing, whichever of the two threads writes a word first.
   * Once the destination is done, and while the helper still waits for the disk, it goes on past the
   * destination's end (llama.cpp reads the tensors into one buffer, in order), so the next reads
   * mostly land on pages already faulted in: [runLo, runHi) is what it has covered so far.
   */
  const PAGE = 4096;
  const AHEAD = 64 << 20;
  let runLo = 0;
  let runHi = 0;
  const prefault = (heap: SharedArrayBuffer, ptr: number, n: number, done: Int32Array): void => {
    const words = new Int32Array(heap);
    const end = ptr + n;
    if (ptr < runLo || end > runHi) {
      // A new run starts here: the helper touches every page of it that this loop does not.
      runLo = ptr;
      runHi = end;
      for (let p = Math.floor((end - 1) / PAGE) * PAGE; p >= ptr + PAGE; p -= PAGE) {
        // Every 64 pages: stop once the helper is done (it has then touched them all).
        if ((p & (64 * PAGE - 1)) === 0 && Atomics.load(done, 0) !== 0) return;
        Atomics.compareExchange(words, p / 4, 0, 0);
      }
    }
    const limit = Math.min(heap.byteLength, end + AHEAD);
    for (let p = Math.ceil(runHi / PAGE) * PAGE; p < limit; p += PAGE) {
      if ((p & (64 * PAGE - 1)) === 0 && Atomics.load(done, 0) !== 0) return;
      Atomics.compareExchange(words, p / 4, 0, 0);
      runHi = p + PAGE;
    }
  };
  const stop = (): void => {
    fs.stream_ops.read = original;
    helper.terminate();
  };
  return { stop, stats };
}

/** A read of the cached files failed during the load (the browser lost them, or the disk failed). */
export class BlobReadError extends Error {}

/**
 * A window of one file, read through the helper in one round trip, that serves the small reads
 * in it: each round trip cost about half a millisecond, and the scale model's load made about 1,500
 * reads of 1.4 KB (0.9 s of its load).
 */
export class ReadWindow {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  readonly #data: Uint8Array;
  #file = -1;
  #start = 0;
  #length = 0;

  /** A new SharedArrayBuffer of `size` bytes (the helper fills it), or the buffer given. */
  constructor(size: number | SharedArrayBuffer | ArrayBuffer) {
    this.buffer = typeof size === 'number' ? new SharedArrayBuffer(size) : size;
    this.#data = new Uint8Array(this.buffer);
  }

  /** The buffer now holds [start, start + length) of `file`. */
  adopt(file: number, start: number, length: number): void {
    this.#file = file;
    this.#start = start;
    this.#length = length;
  }

  /**
   * Copies bytes [position, position + dest.length) of `file` (of `fileSize` bytes) into dest, first
   * filling the window from position with `fill(start, length)` (which returns the bytes it put in the
   * window) where the range is not in it; returns the bytes copied.
   */
  read(file: number, position: number, dest: Uint8Array, fileSize: number, fill: (start: number, length: number) => number): number {
    const end = Math.min(position + dest.length, fileSize);
    if (end <= position) return 0;
    if (file !== this.#file || position < this.#start || end > this.#start + this.#length) {
      this.#file = -1; // a fill that throws leaves no window
      this.#length = fill(position, Math.min(this.buffer.byteLength, fileSize - position));
      this.#file = file;
      this.#start = position;
    }
    const from = position - this.#start;
    const n = Math.min(end - position, this.#length - from);
    if (n <= 0) return 0;
    dest.set(this.#data.subarray(from, from + n));
    return n;
  }
}
