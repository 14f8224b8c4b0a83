import { describe, expect, it } from 'vitest';
import { BlockReader, STALL_MS } from '../../workers/lib/engine/own/block-reader';
import { ENGINE_HEARTBEAT } from '../../web/src/lib/engine/engine-client';

interface Faults {
  /** Reads (stream and arrayBuffer) of the slice starting at byte 0 that fail, first to last. */
  fail?: number;
  /** Streams that never give a byte. */
  stall?: number;
  /** Streams that end after their first 10 bytes. */
  short?: number;
}

/** A Blob whose byte i is i % 251, recording the slices read from it; `faults` make its reads fail or stall. */
function countedBlob(size: number, faults: Faults = {}): { blob: Blob; reads: Array<[number, number]>; streams: number } {
  const base = new Blob([Uint8Array.from({ length: size }, (_, i) => i % 251)]);
  const out = { blob: undefined as unknown as Blob, reads: [] as Array<[number, number]>, streams: 0 };
  let fail = faults.fail ?? 0;
  let stall = faults.stall ?? 0;
  let short = faults.short ?? 0;
  out.blob = {
    size,
    slice: (s: number, e: number) => {
      out.reads.push([s, e]);
      const part = base.slice(s, e);
      return {
        size: part.size,
        arrayBuffer: () => (s === 0 && fail-- > 0 ? Promise.reject(new Error('disk')) : part.arrayBuffer()),
        stream: () => {
          out.streams++;
          if (s === 0 && fail-- > 0) return new ReadableStream({ pull: (c) => c.error(new Error('disk')) });
          if (stall-- > 0) return new ReadableStream({ type: 'bytes', pull: () => new Promise(() => {}) });
          if (short-- > 0) return part.slice(0, 10).stream();
          return part.stream();
        },
      };
    },
  } as unknown as Blob;
  return out;
}

const expected = (start: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) % 251);

describe('BlockReader', () => {
  it('gives up a stalled stream well before the engine worker, waiting on it, misses the heartbeat', () => {
    expect(STALL_MS * 2).toBeLessThanOrEqual(ENGINE_HEARTBEAT.timeoutMs);
  });

  for (const streams of [true, false]) {
    it(`copies any range across blocks, reading each block once and one ahead (${streams ? 'streams' : 'arrayBuffer'})`, async () => {
      const f = countedBlob(1000);
      const r = new BlockReader([f.blob], { block: 100, streams });
      for (const [start, n] of [[0, 30], [30, 150], [180, 20], [200, 333]] as const) {
        const dest = new Uint8Array(n);
        expect(await r.read(0, start, dest)).toBe(n);
        expect(dest).toEqual(expected(start, n));
      }
      // Blocks 0..5 were read once each, and 6 ahead of the last read (which ended in block 5).
      expect(f.reads.map(([s]) => s / 100)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(f.streams).toBe(streams ? 7 : 0);
    });
  }

  it('prefetch starts a block and the one after it, which a later read uses without reading them again', async () => {
    const f = countedBlob(1000);
    const r = new BlockReader([f.blob], { block: 100 });
    r.prefetch(0, 0);
    expect(f.reads.map(([s]) => s / 100)).toEqual([0, 1]);
    const dest = new Uint8Array(50);
    await r.read(0, 80, dest);
    expect(dest).toEqual(expected(80, 50));
    expect(f.reads.map(([s]) => s / 100)).toEqual([0, 1, 2]);
  });

  it('stops at the end of the file and reads no block past it', async () => {
    const f = countedBlob(250);
    const r = new BlockReader([f.blob], { block: 100 });
    const dest = new Uint8Array(100);
    expect(await r.read(0, 200, dest)).toBe(50);
    expect(dest.subarray(0, 50)).toEqual(expected(200, 50));
    expect(await r.read(0, 250, dest)).toBe(0);
    expect(f.reads).toEqual([[200, 250]]);
  });

  it('reads each file of a model on its own', async () => {
    const a = countedBlob(300);
    const b = countedBlob(300);
    const r = new BlockReader([a.blob, b.blob], { block: 100 });
    const dest = new Uint8Array(50);
    await r.read(1, 120, dest);
    expect(dest).toEqual(expected(120, 50));
    expect(b.reads.map(([s]) => s)).toEqual([100, 200]);
    expect(a.reads).toEqual([]);
  });

  it('keeps the block before the current one: a read that reaches into the next block and one back in this one read each block once', async () => {
    const f = countedBlob(1000);
    const r = new BlockReader([f.blob], { block: 100 });
    const dest = new Uint8Array(20);
    for (const start of [150, 190, 195]) {
      await r.read(0, start, dest);
      expect(dest).toEqual(expected(start, 20));
    }
    expect(f.reads.map(([s]) => s / 100)).toEqual([1, 2, 3]);
  });

  it('lets go of the blocks more than one before or two after the current one, and streams into the buffers it let go', async () => {
    const f = countedBlob(1000);
    const r = new BlockReader([f.blob], { block: 100 });
    const dest = new Uint8Array(10);
    for (const start of [500, 0, 300, 710]) {
      await r.read(0, start, dest);
      expect(dest).toEqual(expected(start, 10));
    }
    // Going back reads block 0 again: it was let go.
    expect(f.reads.map(([s]) => s / 100)).toEqual([5, 6, 0, 1, 3, 4, 7, 8]);
  });

  it('reads a block whose stream stalled with arrayBuffer, and every later block too', async () => {
    const f = countedBlob(300, { stall: 1 });
    const r = new BlockReader([f.blob], { block: 100, stallMs: 50 });
    const dest = new Uint8Array(150);
    expect(await r.read(0, 20, dest)).toBe(150);
    expect(dest).toEqual(expected(20, 150));
    expect(r.stalls).toBe(1);
    await r.read(0, 200, dest);
    expect(dest.subarray(0, 100)).toEqual(expected(200, 100));
    // Block 1's stream (read ahead, before the stall showed) gave its bytes; block 2's was never opened.
    expect(f.streams).toBe(2);
  });

  for (const [how, faults, start, n] of [
    ['failed', { fail: 1 }, 10, 20],
    ['ended early', { short: 1 }, 40, 50],
  ] as const) {
    it(`reads a block whose stream ${how} with arrayBuffer`, async () => {
      const f = countedBlob(300, faults);
      const r = new BlockReader([f.blob], { block: 100 });
      const dest = new Uint8Array(n);
      expect(await r.read(0, start, dest)).toBe(n);
      expect(dest).toEqual(expected(start, n));
    });
  }

  it('fails a read whose block could not be read at all, and reads it again next time', async () => {
    const f = countedBlob(300, { fail: 2 });
    const r = new BlockReader([f.blob], { block: 100 });
    const dest = new Uint8Array(20);
    await expect(r.read(0, 10, dest)).rejects.toThrow('disk');
    expect(await r.read(0, 10, dest)).toBe(20);
    expect(dest).toEqual(expected(10, 20));
  });

  it('fails a file shorter than its stated size', async () => {
    const short = new Blob([new Uint8Array(150)]);
    const lying = { size: 300, slice: (s: number, e: number) => short.slice(s, e) } as unknown as Blob;
    const r = new BlockReader([lying], { block: 100 });
    await expect(r.read(0, 140, new Uint8Array(50))).rejects.toThrow('ended at byte 150');
  });

  it('reads a small range away from the run aside: the blocks read ahead stay, and no whole block is read for it', async () => {
    const f = countedBlob(1000);
    const r = new BlockReader([f.blob], { block: 100 });
    const a = new Uint8Array(30);
    await r.read(0, 0, a); // block 0, and 1 ahead
    const aside = new Uint8Array(20);
    expect(await r.readAside(0, 750, aside)).toBe(20);
    expect(aside).toEqual(expected(750, 20));
    // Within a held block: served from it.
    const held = new Uint8Array(10);
    expect(await r.readAside(0, 120, held)).toBe(10);
    expect(held).toEqual(expected(120, 10));
    // The run goes on without reading blocks 0 or 1 again.
    const b = new Uint8Array(150);
    await r.read(0, 30, b);
    expect(b).toEqual(expected(30, 150));
    expect(f.reads).toEqual([[0, 100], [100, 200], [750, 770], [200, 300]]);
    // At the end of the file: what is there.
    expect(await r.readAside(0, 990, new Uint8Array(50))).toBe(10);
  });
});
