import { describe, expect, it } from 'vitest';
import { ReadWindow } from '../../workers/lib/engine/own/blob-reads';

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
