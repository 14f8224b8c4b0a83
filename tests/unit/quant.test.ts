import { describe, expect, it } from 'vitest';
import { encodeRow, GgmlType, toHalf } from '../../tools/models/quant';

const fromHalf = (h: number): number => {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
};

describe('float16 conversion', () => {
  it('round-trips exactly representable values', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 1 / 1024]) expect(fromHalf(toHalf(v))).toBe(v);
  });
  it('rounds to nearest and saturates to infinity', () => {
    expect(Math.abs(fromHalf(toHalf(1 / 127)) - 1 / 127)).toBeLessThan(1e-5);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
  });
});

describe('Q8_0 and Q4_0 rows', () => {
  it('Q8_0 stores a one-hot row so that it dequantizes to ~1 at the hot index', () => {
    const row = new Float32Array(32);
    row[5] = 1;
    const out = new Uint8Array(34);
    encodeRow(GgmlType.Q8_0, row, out, 0);
    const d = fromHalf(out[0] | (out[1] << 8));
    expect(new Int8Array(out.buffer, 2, 32)[5] * d).toBeCloseTo(1, 3);
    expect(new Int8Array(out.buffer, 2, 32)[4]).toBe(0);
  });
  it('Q4_0 packs element j and j+16 into one byte around 8', () => {
    const row = new Float32Array(32);
    row[0] = -8;
    row[16] = 7;
    const out = new Uint8Array(18);
    encodeRow(GgmlType.Q4_0, row, out, 0);
    expect(fromHalf(out[0] | (out[1] << 8))).toBe(1);
    expect(out[2] & 0xf).toBe(0); // -8 / 1 + 8
    expect(out[2] >> 4).toBe(15); // 7 / 1 + 8
  });
});
