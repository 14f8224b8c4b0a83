/**
 * The one reader of GGUF headers: magic, version, key/values and (when asked) tensor infos, from the
 * first bytes of a file. walkGguf works on the bytes it is given and says how many it needs when they
 * end inside the header (the download's header check judges a partial first answer that way);
 * readGguf fetches growing starts of a Blob or a Range-answering URL until the walk completes.
 *
 * Only the keys asked for are decoded; the rest are skipped, but every array's length is kept.
 * Strings are decoded with ignoreBOM, so a token that is U+FEFF keeps its text (@huggingface/gguf
 * strips it). Sizes are bounded (no real model comes near), so a damaged header fails fast.
 */

// gguf.h GGUF_TYPE_*
export const GgufType = {
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

const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Bound on one string or array in a header (8 Mi bytes or items). */
const MAX_ITEMS = 8 << 20;
// llama.cpp's own loader has no tighter limits; real models have a few hundred tensors (a few
// thousand for large MoE models) and a few dozen key/values.
const MAX_TENSORS = 1_000_000;
const MAX_KVS = 100_000;
const MAX_KEY_BYTES = 65_535;
const MAX_DIMS = 8;

export type GgufValue = string | number | boolean | bigint | GgufValue[] | Float32Array | Int32Array | Uint32Array;

export interface GgufTensorInfo {
  name: string;
  /** ne[0..n): the innermost dimension first. */
  shape: number[];
  dtype: number;
  /** Offset of the tensor's data from the start of the data section. */
  offset: number;
}

export interface GgufHeader {
  version: number;
  tensorCount: number;
  kvCount: number;
  /** The kept key/values (all of them read, unless the walk stopped early). */
  kv: Map<string, GgufValue>;
  /** The item count of every array value, kept or skipped. */
  arrayLengths: Map<string, number>;
  /** Read only when asked for (`tensors: true`). */
  tensors: GgufTensorInfo[];
  /** Where the tensor data starts (aligned as general.alignment says); null without tensor infos. */
  tensorDataOffset: number | null;
}

export interface WalkOptions {
  /** Which values to decode, by key and GGUF type; it may throw GgufFormatError to refuse a value. */
  keep?: (key: string, type: number) => boolean;
  /** Stop right after this key's value (when everything needed comes before the rest). */
  stopAfter?: string;
  /** Read the tensor infos too. */
  tensors?: boolean;
  /** Told the tensor and key/value counts as soon as they are read (before the walk may fall short). */
  onCounts?: (tensors: number, kvs: number) => void;
}

/** The bytes end inside the header: walk again with at least `need` bytes. */
export class NeedMore extends Error {
  constructor(readonly need: number) {
    super('need more bytes');
  }
}

/** The header is malformed; the message says what was found ("a string of 9999999 bytes"). */
export class GgufFormatError extends Error {}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

class Reader {
  private readonly view: DataView;
  pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    readonly version: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new NeedMore(this.pos + n);
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`a length of ${v}`);
    return Number(v);
  }
  /** A count: u32 in GGUF v1, u64 in v2 and v3. */
  count(): number {
    return this.version === 1 ? this.u32() : this.u64();
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(max: number, keep = true): string {
    const len = this.count();
    if (len > max) throw new GgufFormatError(`a string of ${len} bytes`);
    const bytes = this.raw(len);
    return keep ? decoder.decode(bytes) : '';
  }
  scalar(type: number): number | boolean | bigint {
    const size = SCALAR_BYTES[type];
    this.need(size);
    const v = this.view;
    const at = this.pos;
    this.pos += size;
    switch (type) {
      case GgufType.U8: return v.getUint8(at);
      case GgufType.I8: return v.getInt8(at);
      case GgufType.U16: return v.getUint16(at, true);
      case GgufType.I16: return v.getInt16(at, true);
      case GgufType.U32: return v.getUint32(at, true);
      case GgufType.I32: return v.getInt32(at, true);
      case GgufType.F32: return v.getFloat32(at, true);
      case GgufType.BOOL: return v.getUint8(at) !== 0;
      case GgufType.U64: return v.getBigUint64(at, true);
      case GgufType.I64: return v.getBigInt64(at, true);
      default: return v.getFloat64(at, true);
    }
  }
}

/** Reads (keep) or skips one value; an array's length goes to `length`. */
function value(r: Reader, type: number, keep: boolean, length: (n: number) => void): GgufValue | undefined {
  if (type in SCALAR_BYTES) {
    if (keep) return r.scalar(type);
    r.skip(SCALAR_BYTES[type]);
    return undefined;
  }
  if (type === GgufType.STRING) {
    const s = r.string(MAX_ITEMS, keep);
    return keep ? s : undefined;
  }
  if (type !== GgufType.ARRAY) throw new GgufFormatError(`a value of unknown type ${type}`);
  const inner = r.u32();
  const n = r.count();
  if (n > MAX_ITEMS) throw new GgufFormatError(`an array of ${n} items`);
  length(n);
  const size = SCALAR_BYTES[inner];
  if (size !== undefined) {
    if (!keep) return void r.skip(n * size);
    if (inner === GgufType.F32 || inner === GgufType.I32 || inner === GgufType.U32) {
      // Copied: the bytes may not be aligned for a typed view.
      const copy = r.raw(n * 4).slice();
      return inner === GgufType.F32 ? new Float32Array(copy.buffer) : inner === GgufType.I32 ? new Int32Array(copy.buffer) : new Uint32Array(copy.buffer);
    }
    const items: GgufValue[] = [];
    for (let i = 0; i < n; i++) items.push(r.scalar(inner));
    return items;
  }
  if (inner === GgufType.STRING) {
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = r.string(MAX_ITEMS, keep);
      if (keep) items.push(s);
    }
    return keep ? items : undefined;
  }
  // Arrays of arrays are not GGUF (gguf.cpp refuses them too); an empty one holds nothing to misread.
  if (n > 0) throw new GgufFormatError(`a value of unknown type ${inner}`);
  return keep ? [] : undefined;
}

/**
 * Walks the header in `bytes` (a file's first bytes). Throws NeedMore when they end inside it and
 * GgufFormatError when it is malformed.
 */
export function walkGguf(bytes: Uint8Array, opts: WalkOptions = {}): GgufHeader {
  if (bytes.length < 8) throw new NeedMore(8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== 0x46554747) throw new GgufFormatError('not a GGUF file');
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3) throw new GgufFormatError(`GGUF version ${version}; llama.cpp reads versions 1 to 3`);
  const r = new Reader(bytes, version);
  r.pos = 8;
  const tensorCount = r.count();
  const kvCount = r.count();
  if (tensorCount > MAX_TENSORS) throw new GgufFormatError(`${tensorCount} tensors`);
  if (kvCount > MAX_KVS) throw new GgufFormatError(`${kvCount} key/values`);
  opts.onCounts?.(tensorCount, kvCount);
  const header: GgufHeader = { version, tensorCount, kvCount, kv: new Map(), arrayLengths: new Map(), tensors: [], tensorDataOffset: null };
  let alignment = 32;
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(MAX_KEY_BYTES);
    const type = r.u32();
    const keep = key === 'general.alignment' || (opts.keep?.(key, type) ?? true);
    const v = value(r, type, keep, (n) => header.arrayLengths.set(key, n));
    if (keep && v !== undefined) header.kv.set(key, v);
    if (key === 'general.alignment' && typeof v === 'number' && v > 0) alignment = v;
    if (key === opts.stopAfter) return header;
  }
  if (!opts.tensors) return header;
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string(MAX_KEY_BYTES);
    const dims = r.u32();
    if (dims > MAX_DIMS) throw new GgufFormatError(`a tensor of ${dims} dimensions`);
    const shape: number[] = [];
    for (let d = 0; d < dims; d++) shape.push(r.count());
    const dtype = r.u32();
    header.tensors.push({ name, shape, dtype, offset: r.u64() });
  }
  header.tensorDataOffset = Math.ceil(r.pos / alignment) * alignment;
  return header;
}

/** Where header bytes come from: the bytes [start, end) of the file (fewer at its end), and its size once known. */
export interface ByteSource {
  readonly size: number | null;
  read(start: number, end: number): Promise<Uint8Array>;
}

export const blobSource = (blob: Blob): ByteSource => ({
  size: blob.size,
  read: async (start, end) => new Uint8Array(await blob.slice(start, Math.min(end, blob.size)).arrayBuffer()),
});

/** The first read: enough for the header of a model with a 32k vocabulary (Starling's is ~1 MB). */
const FIRST_READ = 2_000_000;

/**
 * Walks a file's header, reading more of its start until the walk completes (each shortfall at
 * least doubles what is held, so a header is walked at most a few times).
 */
export async function readGguf(source: ByteSource, opts: WalkOptions = {}): Promise<GgufHeader> {
  let bytes = await source.read(0, FIRST_READ);
  for (;;) {
    try {
      return walkGguf(bytes, opts);
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
      if (e.need > (source.size ?? Infinity)) throw new GgufFormatError('GGUF header is truncated');
      const more = await source.read(bytes.length, Math.max(e.need, bytes.length * 2));
      if (more.length === 0) throw new GgufFormatError('GGUF header is truncated');
      const joined = new Uint8Array(bytes.length + more.length);
      joined.set(bytes);
      joined.set(more, bytes.length);
      bytes = joined;
    }
  }
}
