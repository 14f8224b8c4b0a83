/**
 * Checks a GGUF header from the first bytes of a file, before the rest is fetched: magic, version
 * (1..3), sane tensor and key/value counts, well-formed key/values, and a `general.architecture` the
 * bundled llama.cpp knows. A header longer than the bytes given asks for more (`need`), so the caller
 * can fetch a longer start, up to MAX_HEADER_BYTES, before deciding.
 */
import { AppError } from '../errors';
import { KNOWN_ARCHITECTURES } from './known-architectures';

/** How far into a file the header check reads at most (the vocabulary arrays come before the tensors). */
export const MAX_HEADER_BYTES = 8 << 20;
// llama.cpp's own loader has no tighter limits; real models have a few hundred tensors (a few
// thousand for large MoE models) and a few dozen key/values.
const MAX_TENSORS = 1_000_000;
const MAX_KVS = 100_000;
const MAX_KEY_BYTES = 65_535;

export type HeaderVerdict =
  | { ok: true; architecture: string | null; version: number; tensorCount: number; kvCount: number }
  /** The bytes end inside the header: look again with at least `need` bytes. */
  | { ok: false; need: number }
  | { ok: false; error: AppError };

class NeedMore extends Error {
  constructor(readonly need: number) {
    super('need more bytes');
  }
}
class Bad extends Error {}

// Sizes of GGUF scalar value types (gguf.h: GGUF_TYPE_*); 8 = string, 9 = array.
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

class Reader {
  private readonly view: DataView;
  pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly version: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new NeedMore(this.pos + n);
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A count: u32 in GGUF v1, u64 in v2 and v3 (as a Number, exact up to 2^53). */
  count(): number {
    if (this.version === 1) return this.u32();
    this.need(8);
    const v = Number(this.view.getBigUint64(this.pos, true));
    this.pos += 8;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  string(max: number): string {
    const len = this.count();
    if (len > max) throw new Bad(`a string of ${len} bytes`);
    this.need(len);
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

function skipValue(r: Reader, type: number, depth = 0): void {
  if (type in SCALAR_BYTES) return r.skip(SCALAR_BYTES[type]);
  if (type === 8) return void r.string(MAX_HEADER_BYTES);
  if (type === 9 && depth === 0) {
    const inner = r.u32();
    const n = r.count();
    if (n > MAX_HEADER_BYTES) throw new Bad(`an array of ${n} items`);
    if (inner in SCALAR_BYTES) return r.skip(n * SCALAR_BYTES[inner]);
    for (let i = 0; i < n; i++) skipValue(r, inner, depth + 1);
    return;
  }
  throw new Bad(`a value of unknown type ${type}`);
}

const corrupt = (name: string, what: string): AppError =>
  new AppError(
    'corrupt-gguf',
    `${name} starts like a GGUF model but its header is damaged (${what}). Nothing was downloaded beyond its first bytes; ` +
      'the file itself must be replaced with a good copy.',
  );

/**
 * Judges a GGUF header from `head`, the first bytes of the file (`fileSize` when known, to tell a
 * header cut by the end of the file from one cut by the end of what was fetched so far).
 * `checkArchitecture` is false for the later shards of a gguf-split set, which carry no metadata.
 */
export function checkGgufHeader(head: Uint8Array, name: string, fileSize: number | null, checkArchitecture = true): HeaderVerdict {
  if (head.length < 24) return fileSize !== null && fileSize < 24 ? { ok: false, error: corrupt(name, `only ${fileSize} bytes`) } : { ok: false, need: 24 };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3) return { ok: false, error: corrupt(name, `GGUF version ${version}; llama.cpp reads versions 1 to 3`) };
  const r = new Reader(head, version);
  r.pos = 8;
  let tensorCount = 0;
  let kvCount = 0;
  try {
    tensorCount = r.count();
    kvCount = r.count();
    if (tensorCount > MAX_TENSORS) throw new Bad(`${tensorCount} tensors`);
    if (kvCount > MAX_KVS) throw new Bad(`${kvCount} key/values`);
    let architecture: string | null = null;
    for (let i = 0; i < kvCount; i++) {
      const key = r.string(MAX_KEY_BYTES);
      const type = r.u32();
      if (key === 'general.architecture') {
        if (type !== 8) throw new Bad('general.architecture is not a string');
        architecture = r.string(256);
        break; // all the check needs; the rest of the header is read again after the download
      }
      skipValue(r, type);
    }
    if (checkArchitecture) {
      if (architecture === null) throw new Bad('it names no general.architecture');
      if (!KNOWN_ARCHITECTURES.has(architecture)) {
        return {
          ok: false,
          error: new AppError(
            'unsupported-arch',
            `${name} is a "${architecture.slice(0, 64)}" model, an architecture the llama.cpp built into this app does not know, ` +
              'so it cannot run here. Nothing was downloaded beyond its first bytes. Pick a model of a supported architecture (for example llama).',
          ),
        };
      }
    }
    return { ok: true, architecture, version, tensorCount, kvCount };
  } catch (e) {
    if (e instanceof NeedMore) {
      if (fileSize !== null && e.need > fileSize) return { ok: false, error: corrupt(name, 'its header runs past the end of the file') };
      if (e.need > MAX_HEADER_BYTES) {
        // Stranger than any real model, but not proof of damage: the full check after download decides.
        return { ok: true, architecture: null, version, tensorCount, kvCount };
      }
      return { ok: false, need: e.need };
    }
    if (e instanceof Bad) return { ok: false, error: corrupt(name, e.message) };
    throw e;
  }
}
