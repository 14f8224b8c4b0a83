/**
 * The facts a memory plan needs, read from a GGUF header only: hyperparameters, the bytes of every
 * tensor, and gguf-split info. A local Blob is read through slices, a remote file through HTTP Range
 * requests (a 2 MB start, more only when the header is longer), so a multi-GB model is never
 * downloaded to plan it.
 */
import { GGML_TYPES, ggmlTensorBytes } from '../gguf/ggml-types';
import { blobSource, readGguf, type ByteSource, type GgufHeader, type WalkOptions } from '../gguf/walker';

export interface TensorTypeCount {
  count: number;
  bytes: number;
}

export interface GgufHeaderInfo {
  architecture: string;
  name: string | null;
  blockCount: number;
  embeddingLength: number;
  headCount: number;
  /** Largest per-layer KV head count (some architectures give one per layer: see kvHeadsPerLayer). */
  headCountKv: number;
  /** Per-layer KV head counts when the GGUF stores an array; null when every layer has headCountKv. */
  kvHeadsPerLayer: number[] | null;
  /** `attention.key_length` / `value_length` when present; otherwise embeddingLength / headCount. */
  keyLength: number | null;
  valueLength: number | null;
  contextLength: number | null;
  vocabSize: number;
  feedForwardLength: number | null;
  /** Sum of the bytes of the tensors this header (or these shards) declare. */
  tensorDataBytes: number;
  tensorCount: number;
  /** The biggest single tensor: on WebGPU it must fit one buffer binding. */
  largestTensor: { name: string; bytes: number };
  /** token_embd.weight bytes (llama.cpp keeps them in host memory on every backend); null if absent. */
  tokenEmbeddingBytes: number | null;
  /** Whether output.weight exists (without it the output shares the token embeddings). */
  hasOutputTensor: boolean;
  /** Tensor type name (F32, Q4_K, …) → how many tensors and their bytes. */
  tensorTypes: Record<string, TensorTypeCount>;
  /** Size of the file(s) when known (Blob size, or the total of a Content-Range answer). */
  fileBytes: number | null;
  /** gguf-split: 0-based shard index, shard count, and the tensor count of the whole set. */
  split: { no: number; count: number; tensorsCount: number | null };
  /** How many shard headers this info sums (1 for one file; count once combineShardInfos has run). */
  shardsRead: number;
}

// The vocabulary is the bulk of a header and the plan needs only its length (arrayLengths).
const PLAN_READ: WalkOptions = { keep: (key) => !key.startsWith('tokenizer.'), tensors: true };

const num = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
};

/** A scalar, or the maximum of a per-layer array (some architectures store head counts per layer). */
const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || ArrayBuffer.isView(v);

const numOrMax = (v: unknown): number | null => {
  if (isList(v)) {
    const values = Array.from(v, num).filter((x): x is number => x !== null);
    return values.length ? Math.max(...values) : null;
  }
  return num(v);
};

/** Builds the plan facts from a walked header. */
function headerInfoFromHeader(header: GgufHeader, fileBytes: number | null): GgufHeaderInfo {
  const meta = (k: string): unknown => header.kv.get(k);
  const archValue = meta('general.architecture');
  const arch = typeof archValue === 'string' ? archValue : 'unknown';
  const key = (k: string): unknown => meta(`${arch}.${k}`);

  const tensorTypes: Record<string, TensorTypeCount> = {};
  let tensorDataBytes = 0;
  let largestTensor = { name: '', bytes: 0 };
  let embdVocab: number | null = null;
  let tokenEmbeddingBytes: number | null = null;
  let hasOutputTensor = false;
  for (const t of header.tensors) {
    const bytes = ggmlTensorBytes(t.dtype, t.shape);
    tensorDataBytes += bytes;
    const typeName = GGML_TYPES[t.dtype]?.name ?? `type ${t.dtype}`;
    const entry = (tensorTypes[typeName] ??= { count: 0, bytes: 0 });
    entry.count += 1;
    entry.bytes += bytes;
    if (bytes > largestTensor.bytes) largestTensor = { name: t.name, bytes };
    if (t.name === 'token_embd.weight') {
      tokenEmbeddingBytes = bytes;
      if (t.shape.length >= 2) embdVocab = Number(t.shape[1]);
    }
    if (t.name === 'output.weight') hasOutputTensor = true;
  }

  const headCount = numOrMax(key('attention.head_count')) ?? 0;
  const kvRaw = key('attention.head_count_kv');
  const kvHeadsPerLayer = isList(kvRaw) ? Array.from(kvRaw, (v) => num(v) ?? 0) : null;
  const vocabSize = num(key('vocab_size')) ?? header.arrayLengths.get('tokenizer.ggml.tokens') ?? embdVocab ?? 0;

  return {
    architecture: arch,
    name: typeof meta('general.name') === 'string' ? (meta('general.name') as string) : null,
    blockCount: num(key('block_count')) ?? 0,
    embeddingLength: num(key('embedding_length')) ?? 0,
    headCount,
    headCountKv: numOrMax(kvRaw) ?? headCount,
    kvHeadsPerLayer,
    keyLength: num(key('attention.key_length')),
    valueLength: num(key('attention.value_length')),
    contextLength: num(key('context_length')),
    vocabSize,
    feedForwardLength: numOrMax(key('feed_forward_length')),
    tensorDataBytes,
    tensorCount: header.tensors.length,
    largestTensor,
    tokenEmbeddingBytes,
    hasOutputTensor,
    tensorTypes,
    fileBytes,
    split: {
      no: num(meta('split.no')) ?? 0,
      count: num(meta('split.count')) ?? 1,
      tensorsCount: num(meta('split.tensors.count')),
    },
    shardsRead: 1,
  };
}

/** Reads the header of a local GGUF (a Blob or File): only the slices the parser asks for. */
export async function readHeaderInfo(blob: Blob): Promise<GgufHeaderInfo> {
  return headerInfoFromHeader(await readGguf(blobSource(blob), PLAN_READ), blob.size);
}

// A server may answer a Range request over a small file with the whole file (200).
const SMALL_WHOLE_FILE = 4 << 20;

/**
 * Reads the header of a remote GGUF with Range requests. The file size comes from the first
 * answer's Content-Range (`bytes 0-1999999/4368439040`), so no HEAD request is needed.
 */
export async function readRemoteHeaderInfo(url: string, fetchFn: typeof fetch = fetch): Promise<GgufHeaderInfo> {
  let total: number | null = null;
  const source: ByteSource = {
    get size() {
      return total;
    },
    async read(start, end) {
      if (total !== null && start >= total) return new Uint8Array(0);
      const res = await fetchFn(url, { headers: { Range: `bytes=${start}-${end - 1}` } });
      const length = Number(res.headers.get('Content-Length') ?? NaN);
      if (res.status === 200 && length <= SMALL_WHOLE_FILE) {
        total = length; // a small file sent whole: harmless
        return new Uint8Array(await res.arrayBuffer()).subarray(start, end);
      }
      if (res.status !== 206) {
        // The server ignored Range (or failed): reading on would download the whole model.
        await res.body?.cancel();
        throw new Error(`The server does not answer Range requests for ${url} (HTTP ${res.status}).`);
      }
      const m = /\/\s*(\d+)\s*$/.exec(res.headers.get('Content-Range') ?? '');
      if (m) total = Number(m[1]);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
  return headerInfoFromHeader(await readGguf(source, PLAN_READ), total);
}

/**
 * Combines the infos of every shard of a gguf-split set (in any order): hyperparameters from the first
 * shard, tensor bytes, counts, types and file sizes summed over all of them.
 */
export function combineShardInfos(shards: readonly GgufHeaderInfo[]): GgufHeaderInfo {
  if (shards.length === 0) throw new Error('combineShardInfos needs at least one shard');
  const sorted = [...shards].sort((a, b) => a.split.no - b.split.no);
  const first = sorted[0];
  if (first.split.no !== 0) throw new Error('The first shard (split.no 0) is missing: it holds the hyperparameters.');
  const count = first.split.count;
  const seen = new Set(sorted.map((s) => s.split.no));
  if (sorted.length !== count || seen.size !== count) {
    throw new Error(`A gguf-split set of ${count} shards needs every shard; got ${sorted.length}.`);
  }
  const tensorTypes: Record<string, TensorTypeCount> = {};
  let largestTensor = first.largestTensor;
  let fileBytes: number | null = 0;
  for (const s of sorted) {
    for (const [type, c] of Object.entries(s.tensorTypes)) {
      const entry = (tensorTypes[type] ??= { count: 0, bytes: 0 });
      entry.count += c.count;
      entry.bytes += c.bytes;
    }
    if (s.largestTensor.bytes > largestTensor.bytes) largestTensor = s.largestTensor;
    fileBytes = fileBytes === null || s.fileBytes === null ? null : fileBytes + s.fileBytes;
  }
  const tensorCount = sorted.reduce((n, s) => n + s.tensorCount, 0);
  if (first.split.tensorsCount !== null && first.split.tensorsCount !== tensorCount) {
    throw new Error(`The shards declare ${tensorCount} tensors; the set should have ${first.split.tensorsCount}.`);
  }
  return {
    ...first,
    tensorDataBytes: sorted.reduce((n, s) => n + s.tensorDataBytes, 0),
    tensorCount,
    largestTensor,
    tokenEmbeddingBytes: sorted.find((s) => s.tokenEmbeddingBytes !== null)?.tokenEmbeddingBytes ?? null,
    hasOutputTensor: sorted.some((s) => s.hasOutputTensor),
    tensorTypes,
    fileBytes,
    shardsRead: sorted.length,
  };
}

/** Reads and combines the headers of local shard Blobs (or one plain GGUF). */
export async function readShardedHeaderInfo(blobs: readonly Blob[]): Promise<GgufHeaderInfo> {
  const infos = await Promise.all(blobs.map(readHeaderInfo));
  return infos.length === 1 && infos[0].split.count === 1 ? infos[0] : combineShardInfos(infos);
}

/** Reads and combines the headers of remote shards (urls in any order; one URL for a plain GGUF). */
export async function readRemoteShardedHeaderInfo(urls: readonly string[], fetchFn: typeof fetch = fetch): Promise<GgufHeaderInfo> {
  const infos = await Promise.all(urls.map((u) => readRemoteHeaderInfo(u, fetchFn)));
  return infos.length === 1 && infos[0].split.count === 1 ? infos[0] : combineShardInfos(infos);
}
