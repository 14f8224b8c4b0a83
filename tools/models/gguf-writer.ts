/**
 * Writes GGUF files (and gguf-split shard sets) to disk, streaming tensor data so multi-GB models
 * never sit in memory. The key/value section is serialized by @huggingface/gguf; tensor infos and
 * data follow the GGUF v3 layout (32-byte aligned data).
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { GGUFValueType, serializeGgufMetadata, type GGUFTypedMetadata } from '@huggingface/gguf';
import { shardName } from '../../workers/lib/model-source';
import { rowBytes, type GgmlTypeId } from './quant';

export { GGUFValueType };

export type KvEntry =
  | { type: Exclude<GGUFValueType, GGUFValueType.ARRAY>; value: string | number | bigint | boolean }
  | { type: GGUFValueType.ARRAY; subType: GGUFValueType; value: (string | number | bigint | boolean)[] };

export type KvMap = Record<string, KvEntry>;

export interface TensorSpec {
  name: string;
  /** ggml order: dims[0] is the row length. */
  dims: number[];
  type: GgmlTypeId;
  /** Yields the tensor's bytes in order; their total must equal tensorBytes(spec). */
  data: () => Iterable<Uint8Array>;
}

export interface GgufSpec {
  kv: KvMap;
  tensors: TensorSpec[];
}

const ALIGNMENT = 32;
const pad = (n: number): number => (n + ALIGNMENT - 1) & ~(ALIGNMENT - 1);

export const kv = {
  str: (value: string): KvEntry => ({ type: GGUFValueType.STRING, value }),
  u32: (value: number): KvEntry => ({ type: GGUFValueType.UINT32, value }),
  i32: (value: number): KvEntry => ({ type: GGUFValueType.INT32, value }),
  u16: (value: number): KvEntry => ({ type: GGUFValueType.UINT16, value }),
  f32: (value: number): KvEntry => ({ type: GGUFValueType.FLOAT32, value }),
  bool: (value: boolean): KvEntry => ({ type: GGUFValueType.BOOL, value }),
  strs: (value: string[]): KvEntry => ({ type: GGUFValueType.ARRAY, subType: GGUFValueType.STRING, value }),
  f32s: (value: number[]): KvEntry => ({ type: GGUFValueType.ARRAY, subType: GGUFValueType.FLOAT32, value }),
  i32s: (value: number[]): KvEntry => ({ type: GGUFValueType.ARRAY, subType: GGUFValueType.INT32, value }),
};

export function tensorBytes(t: Pick<TensorSpec, 'dims' | 'type'>): number {
  const rows = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return rowBytes(t.type, t.dims[0]) * rows;
}

function headerBytes(kvs: KvMap, tensors: TensorSpec[]): Uint8Array {
  const typed = {
    version: { value: 3, type: GGUFValueType.UINT32 },
    tensor_count: { value: BigInt(tensors.length), type: GGUFValueType.UINT64 },
    kv_count: { value: BigInt(Object.keys(kvs).length), type: GGUFValueType.UINT64 },
    ...kvs,
  } as unknown as GGUFTypedMetadata; // the library's type only lists well-known keys
  // alignment 1: the library pads after the key/values, but tensor infos must follow them directly.
  const meta = serializeGgufMetadata(typed, { alignment: 1 });

  const enc = new TextEncoder();
  const infos: Uint8Array[] = [];
  let dataOffset = 0;
  for (const t of tensors) {
    const name = enc.encode(t.name);
    const buf = new Uint8Array(8 + name.length + 4 + 8 * t.dims.length + 4 + 8);
    const v = new DataView(buf.buffer);
    let o = 0;
    v.setBigUint64(o, BigInt(name.length), true);
    buf.set(name, (o += 8));
    o += name.length;
    v.setUint32(o, t.dims.length, true);
    o += 4;
    for (const d of t.dims) {
      v.setBigUint64(o, BigInt(d), true);
      o += 8;
    }
    v.setUint32(o, t.type, true);
    o += 4;
    v.setBigUint64(o, BigInt(dataOffset), true);
    infos.push(buf);
    dataOffset = pad(dataOffset + tensorBytes(t));
  }
  const unpadded = meta.length + infos.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(pad(unpadded));
  out.set(meta, 0);
  let o = meta.length;
  for (const b of infos) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/** Writes one GGUF file; returns its size in bytes. */
export function writeGguf(path: string, spec: GgufSpec): number {
  const fd = openSync(path, 'w');
  try {
    const header = headerBytes(spec.kv, spec.tensors);
    let pos = 0;
    const put = (b: Uint8Array): void => {
      let done = 0;
      while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done);
      pos += b.length;
    };
    put(header);
    for (const t of spec.tensors) {
      const expected = tensorBytes(t);
      let written = 0;
      for (const chunk of t.data()) {
        put(chunk);
        written += chunk.length;
      }
      if (written !== expected) throw new Error(`tensor ${t.name}: wrote ${written} bytes, expected ${expected}`);
      const padding = pad(pos) - pos;
      if (padding) put(new Uint8Array(padding));
    }
    return pos;
  } finally {
    closeSync(fd);
  }
}

/**
 * A GGUF whose tensor data is all zeros, written as the header and then a sparse extension of the
 * file to its full size: a valid file of any size in milliseconds, for tests that read its header
 * and the start of its data only (the planner refusing a model too big for its context).
 */
export function writeGgufSparse(path: string, spec: GgufSpec): number {
  const header = headerBytes(spec.kv, spec.tensors);
  let size = header.length;
  for (const t of spec.tensors) size += pad(tensorBytes(t));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, size);
    return size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a gguf-split shard set like llama-gguf-split: tensors in order, a new shard whenever the next
 * tensor would push the current one past maxBytes; the first shard carries all metadata, every shard
 * carries split.no/split.count/split.tensors.count. Returns the file paths in shard order.
 */
export function writeGgufSplit(prefix: string, spec: GgufSpec, maxBytes: number): string[] {
  const groups: TensorSpec[][] = [[]];
  let size = 0;
  for (const t of spec.tensors) {
    const b = pad(tensorBytes(t));
    if (size > 0 && size + b > maxBytes) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(t);
    size += b;
  }
  const count = groups.length;
  return groups.map((tensors, i) => {
    const split: KvMap = {
      'split.no': kv.u16(i),
      'split.count': kv.u16(count),
      'split.tensors.count': kv.i32(spec.tensors.length),
    };
    const path = shardName(prefix, i + 1, count);
    writeGguf(path, { kv: i === 0 ? { ...spec.kv, ...split } : split, tensors });
    return path;
  });
}
