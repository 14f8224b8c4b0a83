/**
 * A small reader of a GGUF file's key/value section, from a Blob, reading only the header bytes (in
 * growing Blob.slice chunks). Strings are decoded with ignoreBOM so a token that is U+FEFF keeps its
 * text (@huggingface/gguf's parser strips it to ""). Only the keys asked for are decoded; the rest
 * are skipped.
 */

const GgufType = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;

const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export type GgufValue = string | number | boolean | bigint | GgufValue[] | ArrayLike<number>;

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const FIRST_CHUNK = 1 << 20;

class BlobReader {
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private base = 0; // file offset of buf[0]
  pos = 0; // file offset of the next read
  constructor(private readonly blob: Blob) {}

  /** True when the next n bytes are already loaded. */
  has(n: number): boolean {
    return this.pos + n <= this.base + this.buf.length;
  }

  /** Loads at least the next n bytes (more, to keep the number of slices small). */
  async fill(n: number): Promise<void> {
    if (this.pos + n > this.blob.size) throw new Error('GGUF header is truncated');
    const want = Math.max(n, FIRST_CHUNK, this.buf.length);
    const end = Math.min(this.blob.size, this.pos + want);
    this.buf = new Uint8Array(await this.blob.slice(this.pos, end).arrayBuffer());
    this.view = new DataView(this.buf.buffer);
    this.base = this.pos;
  }

  async need(n: number): Promise<void> {
    if (!this.has(n)) await this.fill(n);
  }

  private at(n: number): number {
    const o = this.pos - this.base;
    this.pos += n;
    return o;
  }
  u32 = (): number => this.view.getUint32(this.at(4), true);
  u64 = (): number => {
    const v = this.view.getBigUint64(this.at(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('GGUF length out of range');
    return Number(v);
  };
  bytes(n: number): Uint8Array {
    const o = this.at(n);
    return this.buf.subarray(o, o + n);
  }
  scalar(type: number): number | boolean | bigint {
    const v = this.view;
    switch (type) {
      case GgufType.U8: return v.getUint8(this.at(1));
      case GgufType.I8: return v.getInt8(this.at(1));
      case GgufType.U16: return v.getUint16(this.at(2), true);
      case GgufType.I16: return v.getInt16(this.at(2), true);
      case GgufType.U32: return v.getUint32(this.at(4), true);
      case GgufType.I32: return v.getInt32(this.at(4), true);
      case GgufType.F32: return v.getFloat32(this.at(4), true);
      case GgufType.BOOL: return v.getUint8(this.at(1)) !== 0;
      case GgufType.U64: return v.getBigUint64(this.at(8), true);
      case GgufType.I64: return v.getBigInt64(this.at(8), true);
      case GgufType.F64: return v.getFloat64(this.at(8), true);
      default: throw new Error(`unknown GGUF value type ${type}`);
    }
  }
  skip(n: number): void {
    this.pos += n;
  }
}

async function readString(r: BlobReader): Promise<string> {
  await r.need(8);
  const len = r.u64();
  await r.need(len);
  return decoder.decode(r.bytes(len));
}

async function skipString(r: BlobReader): Promise<void> {
  await r.need(8);
  r.skip(r.u64());
}

/** Reads one value; `keep` false skips it (strings and arrays are not decoded). */
async function readValue(r: BlobReader, type: number, keep: boolean): Promise<GgufValue | undefined> {
  if (type === GgufType.STRING) {
    if (keep) return readString(r);
    await skipString(r);
    return undefined;
  }
  if (type === GgufType.ARRAY) {
    await r.need(12);
    const itemType = r.u32();
    const count = r.u64();
    const size = FIXED_SIZE[itemType];
    if (size !== undefined) {
      if (!keep) {
        r.skip(count * size);
        return undefined;
      }
      await r.need(count * size);
      if (itemType === GgufType.F32 || itemType === GgufType.I32 || itemType === GgufType.U32) {
        // Copy: the read buffer is replaced on the next fill, and may not be aligned for a typed view.
        const bytes = r.bytes(count * 4).slice();
        const Ctor = itemType === GgufType.F32 ? Float32Array : itemType === GgufType.I32 ? Int32Array : Uint32Array;
        return new Ctor(bytes.buffer);
      }
      const items: GgufValue[] = [];
      for (let i = 0; i < count; i++) items.push(r.scalar(itemType));
      return items;
    }
    const items: GgufValue[] = [];
    for (let i = 0; i < count; i++) {
      if (itemType === GgufType.STRING) {
        // Fast path: most strings are already loaded, so no await per item.
        if (r.has(8)) {
          const save = r.pos;
          const len = r.u64();
          if (r.has(len)) {
            const s = r.bytes(len);
            if (keep) items.push(decoder.decode(s));
            continue;
          }
          r.pos = save;
        }
        if (keep) items.push(await readString(r));
        else await skipString(r);
      } else {
        const v = await readValue(r, itemType, keep);
        if (keep) items.push(v!);
      }
    }
    return keep ? items : undefined;
  }
  const size = FIXED_SIZE[type];
  if (size === undefined) throw new Error(`unknown GGUF value type ${type}`);
  await r.need(size);
  return r.scalar(type);
}

/** Reads the key/values of a GGUF blob whose key satisfies `wanted` (others are skipped). */
export async function readGgufKv(blob: Blob, wanted: (key: string) => boolean): Promise<Map<string, GgufValue>> {
  const r = new BlobReader(blob);
  await r.need(24);
  const magic = r.u32();
  if (magic !== 0x46554747) throw new Error('not a GGUF file');
  const version = r.u32();
  if (version < 2 || version > 3) throw new Error(`unsupported GGUF version ${version}`);
  r.u64(); // tensor count
  const kvCount = r.u64();
  const out = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await readString(r);
    await r.need(4);
    const type = r.u32();
    const keep = wanted(key);
    const value = await readValue(r, type, keep);
    if (keep && value !== undefined) out.set(key, value);
  }
  return out;
}
