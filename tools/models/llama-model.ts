/**
 * Builds GGUF specs for llama-architecture models: the tensor list for a shape, the hyperparameter
 * keys, and weights from a pluggable source (random blocks, or rows computed by a function).
 */
import { STARLING_7B_ALPHA } from '../../workers/lib/catalog';
import { kv, tensorBytes, type GgufSpec, type KvMap, type TensorSpec } from './gguf-writer';
import { encodeRow, fillRandom, GgmlType, rowBytes, Rng, TYPE_INFO, type GgmlTypeId } from './quant';

export interface LlamaShape {
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ff: number;
  ctx: number;
}

const starling = STARLING_7B_ALPHA.shape;
/** Starling-LM-7B (Mistral-7B) exactly, as the app's catalogue has it. */
export const STARLING_7B_SHAPE: LlamaShape = {
  vocab: starling.vocabSize,
  dim: starling.embeddingLength,
  layers: starling.blockCount,
  heads: starling.headCount,
  kvHeads: starling.headCountKv,
  ff: starling.feedForwardLength,
  ctx: starling.contextLength ?? 8192,
};

export interface TensorTypes {
  embedding: GgmlTypeId;
  output: GgmlTypeId;
  /** attention and feed-forward matrices */
  layers: GgmlTypeId;
  /** the feed-forward matrices, if not `layers` (as a K-quant mix such as Q3_K_M gives them another type) */
  ffn?: GgmlTypeId;
  /** the feed-forward down matrix, if not `ffn`'s (a mix gives it a type of its own too) */
  ffnDown?: GgmlTypeId;
}

/** Row content for one tensor: fills `row` (length dims[0]) for row index r. Zero rows may be left untouched. */
export type RowFn = (r: number, row: Float32Array) => void;

/** Where weights come from: a RowFn per tensor name, or random blocks. */
export type WeightSource = (name: string, t: Pick<TensorSpec, 'dims' | 'type'>) => RowFn | 'random';

const CHUNK_BYTES = 4 << 20;

function rowsData(t: Pick<TensorSpec, 'dims' | 'type'>, fn: RowFn): () => Iterable<Uint8Array> {
  return function* () {
    const n = t.dims[0];
    const rows = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const rb = rowBytes(t.type, n);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / rb));
    const row = new Float32Array(n);
    for (let r0 = 0; r0 < rows; r0 += perChunk) {
      const count = Math.min(perChunk, rows - r0);
      const buf = new Uint8Array(count * rb);
      for (let i = 0; i < count; i++) {
        row.fill(0);
        fn(r0 + i, row);
        encodeRow(t.type, row, buf, i * rb);
      }
      yield buf;
    }
  };
}

function randomData(t: Pick<TensorSpec, 'dims' | 'type'>, seed: number, scale: number): () => Iterable<Uint8Array> {
  return function* () {
    const rng = new Rng(seed);
    const total = tensorBytes(t);
    const block = TYPE_INFO(t.type).typeSize;
    const chunk = Math.max(block, Math.floor(CHUNK_BYTES / block) * block);
    for (let done = 0; done < total; done += chunk) {
      const buf = new Uint8Array(Math.min(chunk, total - done));
      fillRandom(t.type, buf, rng, scale);
      yield buf;
    }
  };
}

const hash = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

export function llamaTensors(shape: LlamaShape, types: TensorTypes, weights: WeightSource, seed = 1): TensorSpec[] {
  const { dim, ff, vocab } = shape;
  const kvDim = (dim / shape.heads) * shape.kvHeads;
  const defs: [string, number[], GgmlTypeId][] = [['token_embd.weight', [dim, vocab], types.embedding]];
  for (let l = 0; l < shape.layers; l++) {
    const p = `blk.${l}.`;
    defs.push(
      [p + 'attn_norm.weight', [dim], GgmlType.F32],
      [p + 'attn_q.weight', [dim, dim], types.layers],
      [p + 'attn_k.weight', [dim, kvDim], types.layers],
      [p + 'attn_v.weight', [dim, kvDim], types.layers],
      [p + 'attn_output.weight', [dim, dim], types.layers],
      [p + 'ffn_norm.weight', [dim], GgmlType.F32],
      [p + 'ffn_gate.weight', [dim, ff], types.ffn ?? types.layers],
      [p + 'ffn_up.weight', [dim, ff], types.ffn ?? types.layers],
      [p + 'ffn_down.weight', [ff, dim], types.ffnDown ?? types.ffn ?? types.layers],
    );
  }
  defs.push(['output_norm.weight', [dim], GgmlType.F32], ['output.weight', [dim, vocab], types.output]);

  return defs.map(([name, dims, type]) => {
    const t = { dims, type };
    const isNorm = name.endsWith('norm.weight');
    const src = isNorm ? (_r: number, row: Float32Array) => row.fill(1) : weights(name, t);
    const data = src === 'random' ? randomData(t, seed ^ hash(name), 1 / Math.sqrt(dims[0])) : rowsData(t, src);
    return { name, dims, type, data };
  });
}

export function llamaHparamsKv(shape: LlamaShape, name: string, fileType: number): KvMap {
  return {
    'general.architecture': kv.str('llama'),
    'general.name': kv.str(name),
    'general.file_type': kv.u32(fileType),
    'general.quantization_version': kv.u32(2),
    'llama.context_length': kv.u32(shape.ctx),
    'llama.embedding_length': kv.u32(shape.dim),
    'llama.block_count': kv.u32(shape.layers),
    'llama.feed_forward_length': kv.u32(shape.ff),
    'llama.rope.dimension_count': kv.u32(shape.dim / shape.heads),
    'llama.attention.head_count': kv.u32(shape.heads),
    'llama.attention.head_count_kv': kv.u32(shape.kvHeads),
    'llama.attention.layer_norm_rms_epsilon': kv.f32(1e-5),
    'llama.rope.freq_base': kv.f32(10000),
    'llama.vocab_size': kv.u32(shape.vocab),
  };
}

// llama_ftype values for general.file_type
const FILE_TYPE: Partial<Record<GgmlTypeId, number>> = {
  [GgmlType.F32]: 0,
  [GgmlType.F16]: 1,
  [GgmlType.Q4_0]: 2,
  [GgmlType.Q8_0]: 7,
  [GgmlType.Q2_K]: 10,
  [GgmlType.Q3_K]: 12,
  [GgmlType.Q4_K]: 15,
  [GgmlType.Q5_K]: 17,
  [GgmlType.Q6_K]: 18,
};

export function llamaSpec(opts: {
  name: string;
  shape: LlamaShape;
  types: TensorTypes;
  weights: WeightSource;
  vocabKv: KvMap;
  extraKv?: KvMap;
  seed?: number;
}): GgufSpec {
  return {
    kv: {
      ...llamaHparamsKv(opts.shape, opts.name, FILE_TYPE[opts.types.layers] ?? 0),
      ...opts.vocabKv,
      ...opts.extraKv,
    },
    tensors: llamaTensors(opts.shape, opts.types, opts.weights, opts.seed),
  };
}
