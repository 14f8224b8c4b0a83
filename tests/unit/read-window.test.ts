import { describe, expect, it } from 'vitest';
import { ReadWindow, skipEmptyReads, windowSmallReads } from '../../workers/lib/engine/own/blob-reads';

/** Files whose byte i is (i + 7 × file) % 251; `fills` records each fill the window asked for. */
function files(sizes: number[]) {
  const fills: Array<[number, number, number]> = [];
  const byte = (file: number, i: number): number => (i + 7 * file) % 251;
  const fill = (w: ReadWindow, file: number) => (start: number, length: number): number => {
    fills.push([file, start, length]);
    const n = Math.min(length, sizes[file] - start);
    new Uint8Array(w.buffer).set(Uint8Array.from({ length: n }, (_, i) => byte(file, start + i)));
    return n;
  };
  const expected = (file: number, start: number, n: number): number[] => Array.from({ length: n }, (_, i) => byte(file, start + i));
  return { fills, fill, expected };
}

describe('ReadWindow', () => {
  it('serves the small reads inside one window with one fill', () => {
    const f = files([10_000]);
    const w = new ReadWindow(4096);
    const out: number[] = [];
    for (let at = 100; at < 100 + 4000; at += 40) {
      const dest = new Uint8Array(40);
      expect(w.read(0, at, dest, 10_000, f.fill(w, 0))).toBe(40);
      out.push(...dest);
    }
    expect(f.fills).toEqual([[0, 100, 4096]]);
    expect(out).toEqual(f.expected(0, 100, 4000));
  });

  it('fills again from the read that leaves the window, and for another file', () => {
    const f = files([10_000, 10_000]);
    const w = new ReadWindow(1000);
    const dest = new Uint8Array(100);
    w.read(0, 0, dest, 10_000, f.fill(w, 0));
    w.read(0, 950, dest, 10_000, f.fill(w, 0)); // straddles the window's end
    expect([...dest]).toEqual(f.expected(0, 950, 100));
    w.read(1, 960, dest, 10_000, f.fill(w, 1)); // same range, other file
    expect([...dest]).toEqual(f.expected(1, 960, 100));
    w.read(1, 900, dest, 10_000, f.fill(w, 1)); // before the window's start
    expect(f.fills).toEqual([
      [0, 0, 1000],
      [0, 950, 1000],
      [1, 960, 1000],
      [1, 900, 1000],
    ]);
  });

  it("stops at the file's end", () => {
    const f = files([1050]);
    const w = new ReadWindow(1000);
    const dest = new Uint8Array(100);
    expect(w.read(0, 1000, dest, 1050, f.fill(w, 0))).toBe(50);
    expect([...dest.subarray(0, 50)]).toEqual(f.expected(0, 1000, 50));
    expect(f.fills).toEqual([[0, 1000, 50]]);
    expect(w.read(0, 1050, dest, 1050, f.fill(w, 0))).toBe(0);
  });

  it('keeps no window after a fill that failed', () => {
    const f = files([10_000]);
    const w = new ReadWindow(1000);
    const dest = new Uint8Array(10);
    expect(() =>
      w.read(0, 0, dest, 10_000, () => {
        throw new Error('disk');
      }),
    ).toThrow('disk');
    w.read(0, 0, dest, 10_000, f.fill(w, 0));
    expect([...dest]).toEqual(f.expected(0, 0, 10));
    expect(f.fills).toEqual([[0, 0, 1000]]);
  });

  it('serves reads from what a large read put in it, without a fill', () => {
    const f = files([10_000]);
    const w = new ReadWindow(1000);
    f.fill(w, 0)(5000, 1000); // as the helper does after a large read that ended at byte 5000
    w.adopt(0, 5000, 1000);
    const dest = new Uint8Array(100);
    expect(w.read(0, 5900, dest, 10_000, f.fill(w, 0))).toBe(100);
    expect([...dest]).toEqual(f.expected(0, 5900, 100));
    expect(f.fills).toHaveLength(1);
  });

  it('returns what a short fill gave', () => {
    const w = new ReadWindow(1000);
    const dest = new Uint8Array(100);
    expect(w.read(0, 0, dest, 10_000, () => 30)).toBe(30);
  });
});

/**
 * A fake WORKERFS over in-memory files (byte i of a file is i % 251): its read copies as Emscripten's
 * does and counts calls, as the real one makes each a FileReaderSync read.
 */
function fakeWorkerFs(sizes: number[]) {
  const data = sizes.map((n) => Uint8Array.from({ length: n }, (_, i) => i % 251));
  const blobs = data.map((d) => new Blob([d]));
  const bytesOf = new Map<Blob, Uint8Array>(blobs.map((b, i) => [b, data[i]]));
  const calls: Array<[number, number, number]> = [];
  type Read = (stream: { node: { contents: Blob; size: number } }, buffer: Int8Array, offset: number, length: number, position: number) => number;
  const read: Read = (stream, buffer, offset, length, position) => {
    calls.push([blobs.indexOf(stream.node.contents), position, length]);
    const src = bytesOf.get(stream.node.contents)!.subarray(position, position + length);
    new Uint8Array(buffer.buffer, buffer.byteOffset + offset, src.length).set(src);
    return src.length;
  };
  const fs = { stream_ops: { read } };
  const m = { FS: { filesystems: { WORKERFS: fs } } } as unknown as Parameters<typeof windowSmallReads>[0];
  // Slices keep their parent's bytes: the fake reader finds them by the slice's start, kept aside.
  const slices: Array<[Blob, Uint8Array]> = [];
  const sliceOf = Blob.prototype.slice;
  for (const b of blobs) {
    b.slice = function (start?: number, end?: number) {
      const s = sliceOf.call(this, start, end);
      slices.push([s, bytesOf.get(b)!.subarray(start, end)]);
      return s;
    };
  }
  const readSlice = (s: Blob): ArrayBuffer => {
    const bytes = slices.find(([b]) => b === s)![1];
    return bytes.slice().buffer;
  };
  const heap = new Int8Array(1 << 20);
  const call = (file: number, position: number, length: number, at = 0): number[] => {
    const n = fs.stream_ops.read({ node: { contents: blobs[file], size: sizes[file] } }, heap, at, length, position);
    return [...new Uint8Array(heap.buffer, at, n)];
  };
  const expected = (position: number, n: number): number[] => Array.from({ length: n }, (_, i) => (position + i) % 251);
  return { m, calls, readSlice, call, expected, slices };
}

describe('reads of the own engine without the helper (the single-threaded build)', () => {
  it('answers a read of no bytes without reading', () => {
    const f = fakeWorkerFs([1000]);
    skipEmptyReads(f.m);
    expect(f.call(0, 10, 0)).toEqual([]);
    expect(f.calls).toEqual([]);
    expect(f.call(0, 10, 5)).toEqual(f.expected(10, 5));
    expect(f.calls).toEqual([[0, 10, 5]]);
  });

  it('serves small reads from one window read, and passes large reads on', () => {
    const f = fakeWorkerFs([600_000, 1000]);
    windowSmallReads(f.m, f.readSlice);
    for (let at = 0; at < 200_000; at += 1024) expect(f.call(0, at, 1024)).toEqual(f.expected(at, 1024));
    expect(f.slices.map(([, b]) => b.length)).toEqual([256 << 10]); // one window, no WORKERFS call
    expect(f.calls).toEqual([]);
    // Past the window: one more fill, from the read's start; a read near the file's end is cut short.
    expect(f.call(0, 300_000, 100)).toEqual(f.expected(300_000, 100));
    expect(f.call(0, 599_950, 100)).toEqual(f.expected(599_950, 50));
    // Another file gets its own fill.
    expect(f.call(1, 0, 10)).toEqual(f.expected(0, 10));
    expect(f.slices.map(([, b]) => b.length)).toEqual([256 << 10, 256 << 10, 50, 1000]);
    // A tensor-sized read goes to WORKERFS itself.
    expect(f.call(0, 1000, 100_000)).toEqual(f.expected(1000, 100_000));
    expect(f.calls).toEqual([[0, 1000, 100_000]]);
  });
});
