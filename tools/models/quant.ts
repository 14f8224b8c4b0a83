/**
 * GGML tensor types the generators write, with encoders for the simple block formats and random
 * fillers for K-quants (whose only constraint for llama.cpp is finite, small f16 scales).
 */

import { GGML_TYPES } from '../../workers/lib/gguf/ggml-types';

export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q8_0: 8,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
} as const;
export type GgmlTypeId = (typeof GgmlType)[keyof typeof GgmlType];

// Byte offsets of the f16 scale fields inside one block (ggml's block_* structs).
const SCALE_OFFSETS: Record<GgmlTypeId, number[]> = {
  [GgmlType.F32]: [],
  [GgmlType.F16]: [],
  [GgmlType.Q4_0]: [0],
  [GgmlType.Q8_0]: [0],
  [GgmlType.Q2_K]: [80, 82],
  [GgmlType.Q3_K]: [108],
  [GgmlType.Q4_K]: [0, 2],
  [GgmlType.Q5_K]: [0, 2],
  [GgmlType.Q6_K]: [208],
};

export const TYPE_INFO = (type: GgmlTypeId) => ({ ...GGML_TYPES[type], scaleOffsets: SCALE_OFFSETS[type] });

export function rowBytes(type: GgmlTypeId, n: number): number {
  const info = TYPE_INFO(type);
  if (n % info.blockSize !== 0) throw new Error(`${info.name} rows must be a multiple of ${info.blockSize}, got ${n}`);
  return (n / info.blockSize) * info.typeSize;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE float32 -> float16 bits, round to nearest even. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is still correct
  return sign | half;
}

/** Encodes one row of floats into dst at offset, in the given type. */
export function encodeRow(type: GgmlTypeId, src: Float32Array, dst: Uint8Array, offset: number): void {
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < src.length; i++) view.setFloat32(offset + 4 * i, src[i], true);
      return;
    case GgmlType.F16:
      for (let i = 0; i < src.length; i++) view.setUint16(offset + 2 * i, toHalf(src[i]), true);
      return;
    case GgmlType.Q8_0:
      for (let b = 0; b < src.length / 32; b++) {
        const o = offset + b * 34;
        let amax = 0;
        for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(src[b * 32 + j]));
        const d = amax / 127;
        const id = d ? 1 / d : 0;
        view.setUint16(o, toHalf(d), true);
        for (let j = 0; j < 32; j++) view.setInt8(o + 2 + j, Math.round(src[b * 32 + j] * id));
      }
      return;
    case GgmlType.Q4_0:
      for (let b = 0; b < src.length / 32; b++) {
        const o = offset + b * 18;
        let amax = 0;
        let max = 0;
        for (let j = 0; j < 32; j++) {
          const v = src[b * 32 + j];
          if (Math.abs(v) > amax) {
            amax = Math.abs(v);
            max = v;
          }
        }
        const d = max / -8;
        const id = d ? 1 / d : 0;
        view.setUint16(o, toHalf(d), true);
        for (let j = 0; j < 16; j++) {
          const x0 = Math.min(15, Math.trunc(src[b * 32 + j] * id + 8.5));
          const x1 = Math.min(15, Math.trunc(src[b * 32 + 16 + j] * id + 8.5));
          dst[o + 2 + j] = x0 | (x1 << 4);
        }
      }
      return;
    default:
      throw new Error(`cannot encode floats as ${TYPE_INFO(type).name}; use fillRandom`);
  }
}

/** Small deterministic PRNG (xorshift32) so generated models are reproducible. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  nextU32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform in [-1, 1). */
  nextSigned(): number {
    return this.nextU32() / 0x80000000 - 1;
  }
  fill(dst: Uint8Array): void {
    const words = Math.floor(dst.length / 4);
    const w = new Uint32Array(dst.buffer, dst.byteOffset, words);
    for (let i = 0; i < words; i++) w[i] = this.nextU32();
    for (let i = words * 4; i < dst.length; i++) dst[i] = this.nextU32() & 0xff;
  }
}

/** Fills whole blocks with random data and sets every f16 scale to a small finite value. */
export function fillRandom(type: GgmlTypeId, dst: Uint8Array, rng: Rng, scale: number): void {
  const info = TYPE_INFO(type);
  if (type === GgmlType.F32 || type === GgmlType.F16) {
    const n = dst.length / info.typeSize;
    const row = new Float32Array(n);
    for (let i = 0; i < n; i++) row[i] = rng.nextSigned() * scale;
    encodeRow(type, row, dst, 0);
    return;
  }
  rng.fill(dst);
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  const half = toHalf(scale);
  for (let o = 0; o + info.typeSize <= dst.length; o += info.typeSize) {
    for (const s of info.scaleOffsets) view.setUint16(o + s, half, true);
  }
}
