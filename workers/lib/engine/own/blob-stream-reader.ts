/**
 * Reads a model's Blobs for llama.cpp's load as one stream per file, not one Blob read per request.
 * llama.cpp reads the weights tensor by tensor, in file order, and waits for each read. A Blob read
 * (`slice().arrayBuffer()`) per request made a fresh buffer each time: its pages were faulted in,
 * filled, copied and left to the collector, and the disk was idle between reads. A stream keeps the
 * browser reading ahead of the copies, and with a BYOB reader every piece lands in one small buffer
 * that is used again. In the page, reading 1.5 GB of cached chunks into a fresh shared wasm memory
 * took 1.66 s this way against 4.36 s chunk by chunk (and 1.58 s to read the chunks alone).
 */

/** The reused buffer a BYOB reader reads into: the most copied into the heap per piece. */
const PIECE = 1 << 20;
/** A later start up to this far ahead of the stream is read through rather than opening a new stream. */
const SKIP_MAX = 4 << 20;

export interface ReadTimes {
  /** Waiting for the stream's pieces. */
  waitMs: number;
  /** Copying them into the destination. */
  copyMs: number;
}

interface Open {
  file: number;
  /** The file offset of the next byte the stream gives. */
  pos: number;
  byob: ReadableStreamBYOBReader | null;
  reader: ReadableStreamDefaultReader<Uint8Array> | null;
  /** A default reader's piece not yet used (a BYOB reader never reads more than it is asked). */
  rest: Uint8Array | null;
}

const EMPTY = new Uint8Array(0);

export class BlobStreamReader {
  #open: Open | null = null;
  #piece = new ArrayBuffer(PIECE);

  /** `byob: false` uses a default reader even where the stream is a byte stream (tests). */
  constructor(
    private readonly blobs: Blob[],
    private readonly opts: { byob?: boolean } = {},
  ) {}

  /**
   * Copies bytes [start, start + dest.length) of file `file` into dest, or up to the file's end;
   * returns the bytes copied.
   */
  async read(file: number, start: number, dest: Uint8Array, times: ReadTimes = { waitMs: 0, copyMs: 0 }): Promise<number> {
    const blob = this.blobs[file];
    const end = Math.min(start + dest.length, blob.size);
    if (start >= end) return 0;
    let s = this.#open;
    if (!s || s.file !== file || s.pos > start || start - s.pos > SKIP_MAX) s = this.#start(file, start);
    try {
      while (s.pos < start) s.pos += (await this.#next(s, start - s.pos, times)).length || fail(file, s.pos);
      for (let at = 0; at < end - start; ) {
        const piece = await this.#next(s, end - start - at, times);
        if (!piece.length) fail(file, s.pos);
        const t0 = performance.now();
        dest.set(piece, at);
        times.copyMs += performance.now() - t0;
        at += piece.length;
        s.pos += piece.length;
      }
    } catch (e) {
      this.close(); // a stream that failed is not read again: the next read opens a new one
      throw e;
    }
    return end - start;
  }

  /** Ends the open stream. */
  close(): void {
    const s = this.#open;
    this.#open = null;
    void (s?.byob ?? s?.reader)?.cancel().catch(() => {});
  }

  #start(file: number, start: number): Open {
    this.close();
    const stream = this.blobs[file].slice(start).stream();
    let byob: ReadableStreamBYOBReader | null = null;
    if (this.opts.byob !== false) {
      try {
        byob = stream.getReader({ mode: 'byob' });
      } catch {
        // not a byte stream in this browser: its own pieces, copied as they come
      }
    }
    const s: Open = { file, pos: start, byob, reader: byob ? null : stream.getReader(), rest: null };
    this.#open = s;
    return s;
  }

  /** Up to `max` bytes from the stream; empty at its end. The piece is valid until the next call. */
  async #next(s: Open, max: number, times: ReadTimes): Promise<Uint8Array> {
    if (s.rest) {
      const piece = s.rest.subarray(0, max);
      s.rest = s.rest.length > max ? s.rest.subarray(max) : null;
      return piece;
    }
    const t0 = performance.now();
    try {
      if (s.byob) {
        const { done, value } = await s.byob.read(new Uint8Array(this.#piece, 0, Math.min(max, PIECE)));
        // The buffer was handed to the stream and comes back in `value`, done or not.
        if (value) this.#piece = value.buffer as ArrayBuffer;
        return done || !value ? EMPTY : value;
      }
      const { done, value } = await s.reader!.read();
      if (done || !value) return EMPTY;
      if (value.length <= max) return value;
      s.rest = value.subarray(max);
      return value.subarray(0, max);
    } finally {
      times.waitMs += performance.now() - t0;
    }
  }
}

function fail(file: number, pos: number): never {
  throw new Error(`model file ${file + 1} ended at byte ${pos}, before its stated size`);
}
