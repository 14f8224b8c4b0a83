/**
 * A tiny llama-architecture model with the StarChat-style GPT-2 BPE vocabulary (starchat-vocab.ts):
 * random Q8_0 weights, dim 64, one layer (or random K-quant weights, dim 256: a K-quant block is 256
 * weights of a row). It loads fully in llama.cpp; its replies mean nothing.
 * With `tensors: false` it is a vocabulary-only file (hyperparameters kept, so llama.cpp's
 * vocab_only load accepts it), which is quick to write for tokenizer tests.
 */
import { buildVocab, tokenize, type Vocab } from '../../workers/lib/tokenizer/index';
import type { GgufSpec, TensorSpec } from './gguf-writer';
import { llamaHparamsKv, llamaSpec, type LlamaShape } from './llama-model';
import { GgmlType, TYPE_INFO, toHalf, type GgmlTypeId } from './quant';
import { scriptedCoreSpec } from './scripted';
import { starChatVocab, starChatVocabKv, type StarChatKvOptions } from './starchat-vocab';

export interface BpeModelOptions extends StarChatKvOptions {
  name?: string;
  tensors?: boolean;
  /** Query heads per KV head (grouped-query attention, as Starling 7B has 4); 1 by default. */
  groupedHeads?: number;
  /** Every matrix's weight type: Q8_0 by default; a K-quant widens the model to rows of 256. */
  weightType?: GgmlTypeId;
  /** The output matrix's type, if not weightType's. */
  outputType?: GgmlTypeId;
  /** The feed-forward matrices' type, if not weightType's. */
  ffnType?: GgmlTypeId;
  /** The feed-forward down matrix's type, if not ffnType's. */
  ffnDownType?: GgmlTypeId;
}

export function bpeModelSpec(opts: BpeModelOptions = {}): GgufSpec {
  const name = opts.name ?? 'StarChat-style BPE test model (random weights)';
  const g = opts.groupedHeads ?? 1;
  const type = opts.weightType ?? GgmlType.Q8_0;
  const wide = type !== GgmlType.Q8_0;
  const shape: LlamaShape = { vocab: starChatVocab().tokens.length, dim: wide ? 256 : 64, layers: 1, heads: 2 * g, kvHeads: 2, ff: wide ? 512 : 128, ctx: 2048 };
  const vocabKv = starChatVocabKv(opts);
  if (opts.tensors === false) return { kv: { ...llamaHparamsKv(shape, name, 7), ...vocabKv }, tensors: [] };
  const spec = llamaSpec({
    name,
    shape,
    types: { embedding: type, output: opts.outputType ?? type, layers: type, ffn: opts.ffnType, ffnDown: opts.ffnDownType },
    weights: () => 'random',
    vocabKv,
  });
  return { ...spec, tensors: spec.tensors.map((t) => (t.type in MEAN_Q ? centeredKQuant(t) : t)) };
}

/** The mean quant of the K-quants whose weights are d * scale * q - dmin * min (q unsigned). */
const MEAN_Q: Partial<Record<GgmlTypeId, number>> = { [GgmlType.Q2_K]: 1.5, [GgmlType.Q4_K]: 7.5, [GgmlType.Q5_K]: 15.5 };

/**
 * Random Q4_K blocks, whose weights are d * scale * q - dmin * min, have a mean of about
 * 31.5 * 7.5 * d when dmin = d (as the random fill writes them): every matrix then pushes the hidden
 * state one way and the model repeats one token whatever its kernels compute. dmin = 7.5 * d centres
 * them (the mean 4-bit q); Q5_K's the same with dmin = 15.5 * d, Q2_K's with 1.5 * d (its 4-bit scales
 * and mins have the same mean).
 */
function centeredKQuant(t: TensorSpec): TensorSpec {
  const info = TYPE_INFO(t.type);
  const block = info.typeSize;
  // d is the random fill's scale, 1/sqrt(row length) (llama-model.ts); dmin is the block's second half.
  const dmin = toHalf(MEAN_Q[t.type]! / Math.sqrt(t.dims[0]));
  const at = info.scaleOffsets[1];
  return {
    ...t,
    data: function* () {
      for (const chunk of t.data()) {
        if (chunk.length % block !== 0) throw new Error('K-quant data came in pieces that split a block');
        const out = new Uint8Array(chunk);
        const view = new DataView(out.buffer);
        for (let o = 0; o < out.length; o += block) view.setUint16(o + at, dmin, true);
        yield out;
      }
    },
  };
}

let vocab: Vocab | undefined;

/** The StarChat-style vocabulary as the app's tokenizer sees it. */
export function starChatTokenizerVocab(): Vocab {
  const v = starChatVocab();
  vocab ??= buildVocab({
    model: 'gpt2',
    pre: 'starcoder',
    tokens: v.tokens,
    tokenTypes: v.types,
    merges: v.merges,
    bosId: v.endOfTextId,
    eosId: v.endId,
    eotId: v.endId,
    addBos: false,
  });
  return vocab;
}

/** A scripted model with the StarChat-style vocabulary: it answers `text` to anything, then <|end|>. */
export function scriptedStarChatSpec(name: string, text: string): GgufSpec {
  const v = starChatVocab();
  const ids = tokenize(starChatTokenizerVocab(), text, { addSpecial: false, parseSpecial: false });
  return scriptedCoreSpec({ name, reply: [...ids, v.endId], vocabSize: v.tokens.length, vocabKv: starChatVocabKv() });
}
