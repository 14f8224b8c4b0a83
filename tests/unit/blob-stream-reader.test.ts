import { describe, expect, it } from 'vitest';
import { BlobStreamReader } from '../../workers/lib/engine/own/blob-stream-reader';

/** A Blob of `n` bytes whose byte i is (i * 7 + seed) & 255, counting the streams opened on it. */
function file(n: number, seed: number, opened: string[], name: string): { blob: Blob; bytes: Uint8Array } {
  const bytes = new Uint8Array(n).map((_, i) => (i * 7 + seed) & 255);
  const blob = new Blob([bytes]);
  const slice = blob.slice.bind(blob);
  blob.slice = (start?: number, end?: number) => {
    opened.push(`${name}@${start}`);
    return slice(start, end);
  };
  return { blob, bytes };
}

// llama.cpp's pattern: a header, then tensors in file order with small gaps (alignment), a split
// model's second file, then a read back at the start of a file and a read past the end.
const READS = [[0, 0, 10], [0, 10, 30], [0, 44, 3_000_000], [0, 3_000_050, 40], [1, 0, 35], [1, 30, 20], [0, 5, 7], [0, 6_000_080, 100]] as const;

describe.each([true, false])('reading the model files as streams (BYOB reader: %s)', (byob) => {
  it('copies exactly the bytes asked for, opening a stream only where the reads jump', async () => {
    const opened: string[] = [];
    const a = file(6_000_100, 1, opened, 'a');
    const b = file(35, 2, opened, 'b');
    const r = new BlobStreamReader([a.blob, b.blob], { byob });
    for (const [f, start, len] of READS) {
      const dest = new Uint8Array(len + 4).fill(0xee);
      const n = await r.read(f, start, dest.subarray(2, 2 + len));
      const src = (f === 0 ? a : b).bytes;
      const want = Math.max(0, Math.min(len, src.length - start));
      expect(n).toBe(want);
      expect(Buffer.from(dest.subarray(2, 2 + want)).equals(Buffer.from(src.subarray(start, start + want)))).toBe(true);
      expect(dest[0]).toBe(0xee); // nothing outside the destination
      expect(dest[2 + len]).toBe(0xee);
    }
    // A new stream only where the reads jump: the second file, back (twice), and far ahead.
    expect(opened).toEqual(['a@0', 'b@0', 'b@30', 'a@5', 'a@6000080']);
    expect(await r.read(1, 35, new Uint8Array(5))).toBe(0); // at the end: nothing, no stream
    r.close();
  });
});

describe('a model file that cannot be read', () => {
  it('fails the read, and a later read opens a new stream', async () => {
    let fail = true;
    const good = new Blob([new Uint8Array(64).fill(5)]);
    const flaky = {
      size: good.size,
      slice: (s?: number, e?: number) =>
        fail ? ({ stream: () => new ReadableStream({ pull: (c) => c.error(new Error('gone')) }) } as unknown as Blob) : good.slice(s, e),
    } as unknown as Blob;
    const r = new BlobStreamReader([flaky]);
    await expect(r.read(0, 0, new Uint8Array(8))).rejects.toThrow('gone');
    fail = false;
    const dest = new Uint8Array(20);
    expect(await r.read(0, 8, dest)).toBe(20);
    expect(dest.every((v) => v === 5)).toBe(true);
  });

  it('says so when a file is shorter than its size', async () => {
    const short = { size: 100, slice: () => new Blob([new Uint8Array(10)]) } as unknown as Blob;
    await expect(new BlobStreamReader([short]).read(0, 0, new Uint8Array(50))).rejects.toThrow('model file 1 ended at byte 10');
  });
});
