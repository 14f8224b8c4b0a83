/**
 * Serves llama.cpp's reads of a model's files (a tensor each: 1,710 reads of 1.8 MB on average for
 * the 7B-shaped scale model) from whole blocks of 16 MB, the download's chunk size, so that each block
 * is one stored chunk, while the next block is already being read. A block is streamed into one of a
 * few reused buffers: a fresh ArrayBuffer per Blob read had to be faulted in by the browser and left to
 * the collector, and that, not the disk, was most of the load (8.2 s of reads for 3.1 GB, one read per
 * request, where the page reads the same chunks in 3.4 s; 16 MB `arrayBuffer()` blocks were slower
 * still, with the renderer's peak at 1.25× the heap from uncollected blocks). A stream kept open per
 * file was as fast, but stalled now and then on a file just downloaded; a block's stream that stalls
 * here is cancelled and the block read with `arrayBuffer()` instead.
 */

/** The download's chunk size (DEFAULT_CHUNK_BYTES): a block aligned to it is one stored Blob. */
export const BLOCK = 16 << 20;
/** Blocks read ahead of the one being copied from. */
export const AHEAD = 1;
/**
 * A block's stream that has not finished after this long is given up for one `arrayBuffer()` read.
 * Well under the engine's heartbeat (10 s, engine-client.ts): the engine worker waits on the read and
 * answers no ping meanwhile. At 10 s, Firefox ESR's first load of a file just downloaded was declared
 * dead in 2 of 9 runs of one test (tests/engines/app.spec.ts); a 16 MB block arrives in well under 1 s.
 */
export const STALL_MS = 3_000;

export interface BlockReadTimes {
  /** Waiting for blocks to arrive from the Blob. */
  readMs: number;
  /** Copying them into the destination. */
  copyMs: number;
}

export interface BlockReaderOptions {
  block?: number;
  stallMs?: number;
  /** false: one `arrayBuffer()` per block, no streams (tests, and browsers where streams failed). */
  streams?: boolean;
}

export class BlockReader {
  /** The block last read from and those after it (read ahead), by "file:block". */
  #blocks = new Map<string, Promise<Uint8Array>>();
  /** Buffers of blocks let go, to stream the next blocks into. */
  #free: ArrayBuffer[] = [];
  readonly #block: number;
  readonly #stallMs: number;
  #streams: boolean;
  /** Blocks whose stream stalled and were read with `arrayBuffer()`. */
  stalls = 0;

  constructor(
    private readonly blobs: Blob[],
    opts: BlockReaderOptions = {},
  ) {
    this.#block = opts.block ?? BLOCK;
    this.#stallMs = opts.stallMs ?? STALL_MS;
    this.#streams = opts.streams ?? true;
  }

  /** Copies bytes [start, start + dest.length) of file `file` into dest, or up to its end; returns the bytes copied. */
  async read(file: number, start: number, dest: Uint8Array, times: BlockReadTimes = { readMs: 0, copyMs: 0 }): Promise<number> {
    const size = this.blobs[file].size;
    const end = Math.min(start + dest.length, size);
    let at = start;
    while (at < end) {
      const b = Math.floor(at / this.#block);
      const data = this.#get(file, b);
      this.#keep(file, b);
      // Read ahead: the next blocks come from disk while this one is copied.
      this.#fetch(file, b + 1, b + AHEAD);
      at += await copyInto(data, at - b * this.#block, end - at, dest, at - start, times, file, at);
    }
    return Math.max(0, end - start);
  }

  /**
   * A small read away from the run of reads (the tensors' data, in order): served from a block that is
   * held or being read, else read by itself. Through read(), a norm's few KB elsewhere in the file
   * would let go of the blocks read ahead for the next tensor and read a whole block of its own.
   */
  async readAside(file: number, start: number, dest: Uint8Array, times: BlockReadTimes = { readMs: 0, copyMs: 0 }): Promise<number> {
    const blob = this.blobs[file];
    const end = Math.min(start + dest.length, blob.size);
    if (end <= start) return 0;
    const b = Math.floor(start / this.#block);
    const held = b === Math.floor((end - 1) / this.#block) ? this.#blocks.get(`${file}:${b}`) : undefined;
    const data = held ?? blob.slice(start, end).arrayBuffer().then((buf) => new Uint8Array(buf));
    const n = await copyInto(data, held ? start - b * this.#block : 0, end - start, dest, 0, times, file, start);
    if (n !== end - start) throw new Error(`model file ${file + 1} ended at byte ${start + n}, before its stated size`);
    return n;
  }

  /** Starts reading block b of `file` and those after it that a read of it would read ahead. */
  prefetch(file: number, b: number): void {
    this.#fetch(file, b, b + AHEAD);
  }

  /** Starts reading blocks first..last of `file` (those in the file) that are not read or being read. */
  #fetch(file: number, first: number, last: number): void {
    const size = this.blobs[file]?.size ?? 0;
    for (let a = first; a <= last && a * this.#block < size; a++) void this.#get(file, a).catch(() => {});
  }

  #get(file: number, b: number): Promise<Uint8Array> {
    const key = `${file}:${b}`;
    let p = this.#blocks.get(key);
    if (!p) {
      const blob = this.blobs[file];
      p = this.#fill(blob.slice(b * this.#block, Math.min(blob.size, (b + 1) * this.#block)));
      // A block that failed is read again next time rather than failing every later read.
      p.catch(() => this.#blocks.delete(key));
      this.#blocks.set(key, p);
    }
    return p;
  }

  /**
   * Lets go of every block of this file but b, the one before it, and those read ahead of it or of
   * the next one; their buffers are used again once read. After each tensor, the read of the bytes
   * that follow it (blob-reads.ts) may reach into the next block, and the next tensor then starts
   * back in this one: neither it nor the block read ahead of the next one is read twice.
   */
  #keep(file: number, b: number): void {
    for (const [key, p] of this.#blocks) {
      const [f, k] = key.split(':').map(Number);
      if (f === file && k >= b - 1 && k <= b + AHEAD + 1) continue;
      this.#blocks.delete(key);
      p.then((v) => v.buffer.byteLength === this.#block && this.#free.length <= AHEAD && this.#free.push(v.buffer as ArrayBuffer), () => {});
    }
  }

  async #fill(part: Blob): Promise<Uint8Array> {
    if (!this.#streams) return new Uint8Array(await part.arrayBuffer());
    const buf = this.#free.pop() ?? new ArrayBuffer(this.#block);
    const reading = { cancel: () => {} };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.#stallMs)));
    try {
      const got = await Promise.race([streamInto(part, buf, reading), stalled]);
      // A stream that ended before the Blob's size failed as much as one that threw.
      if (got && got.length === part.size) return got;
      if (got) throw new Error('the stream ended early');
      // Stalled: this block, and every later one, is read without streams.
      this.stalls++;
      this.#streams = false;
    } catch {
      // The stream failed or ended early: one plain read of the block decides.
    } finally {
      clearTimeout(timer);
    }
    reading.cancel();
    return new Uint8Array(await part.arrayBuffer());
  }
}

/**
 * Reads a Blob into buf through its stream (a BYOB reader where it is a byte stream); returns the
 * bytes, on buf or on what the stream moved it to. `reading.cancel` then ends the stream.
 */
async function streamInto(part: Blob, buf: ArrayBuffer, reading: { cancel: () => void }): Promise<Uint8Array> {
  const stream = part.stream();
  const size = part.size;
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // not a byte stream in this browser: its own pieces, copied in
  }
  let at = 0;
  if (byob) {
    const r = byob;
    reading.cancel = () => void r.cancel().catch(() => {});
    while (at < size) {
      const { done, value } = await r.read(new Uint8Array(buf, at, size - at));
      // The buffer was handed to the stream and comes back in `value`, done or not.
      if (!value) break;
      buf = value.buffer as ArrayBuffer;
      at += value.byteLength;
      if (done) break;
    }
  } else {
    const r = stream.getReader();
    reading.cancel = () => void r.cancel().catch(() => {});
    const out = new Uint8Array(buf);
    while (at < size) {
      const { done, value } = await r.read();
      if (done || !value) break;
      out.set(value.subarray(0, size - at), at);
      at += Math.min(value.length, size - at);
    }
  }
  reading.cancel = () => {};
  return new Uint8Array(buf, 0, at);
}

/**
 * Copies up to `want` bytes from `from` in the awaited bytes into dest at destAt; returns how many
 * (at least one: bytes that end first are a file shorter than its stated size, `at` the byte wanted).
 */
async function copyInto(data: Promise<Uint8Array>, from: number, want: number, dest: Uint8Array, destAt: number, times: BlockReadTimes, file: number, at: number): Promise<number> {
  const t0 = performance.now();
  const bytes = await data;
  const t1 = performance.now();
  const n = Math.min(want, bytes.length - from);
  if (n <= 0) throw new Error(`model file ${file + 1} ended at byte ${at}, before its stated size`);
  dest.set(bytes.subarray(from, from + n), destAt);
  times.readMs += t1 - t0;
  times.copyMs += performance.now() - t1;
  return n;
}
