/**
 * A tiny llama-architecture model with the StarChat-style GPT-2 BPE vocabulary (starchat-vocab.ts):
 * random Q8_0 weights, dim 64, one layer (or random K-quant weights, dim 256: a K-quant block is 256
 * weights of a row). It loads fully in llama.cpp; its replies mean nothing.
 * With `tensors: false` it is a vocabulary-only file (hyperparameters kept, so llama.cpp's
 * vocab_only load accepts it), which is quick to write for tokenizer tests.
 */
import { buildVocab, tokenize, type Vocab } from '../../workers/lib/tokenizer/index';
import type { GgufSpec } from './gguf-writer';
import { llamaHparamsKv, llamaSpec, type LlamaShape } from './llama-model';
import { GgmlType, type GgmlTypeId } from './quant';
import { scriptedCoreSpec } from './scripted';
import { starChatVocab, starChatVocabKv, type StarChatKvOptions } from './starchat-vocab';

export interface BpeModelOptions extends StarChatKvOptions {
  name?: string;
  tensors?: boolean;
  /** Query heads per KV head (grouped-query attention, as Starling 7B has 4); 1 by default. */
  groupedHeads?: number;
  /** Every matrix's weight type: Q8_0 by default; a K-quant widens the model to rows of 256. */
  weightType?: GgmlTypeId;
}

export function bpeModelSpec(opts: BpeModelOptions = {}): GgufSpec {
  const name = opts.name ?? 'StarChat-style BPE test model (random weights)';
  const g = opts.groupedHeads ?? 1;
  const type = opts.weightType ?? GgmlType.Q8_0;
  const wide = type !== GgmlType.Q8_0;
  const shape: LlamaShape = { vocab: starChatVocab().tokens.length, dim: wide ? 256 : 64, layers: 1, heads: 2 * g, kvHeads: 2, ff: wide ? 512 : 128, ctx: 2048 };
  const vocabKv = starChatVocabKv(opts);
  if (opts.tensors === false) return { kv: { ...llamaHparamsKv(shape, name, 7), ...vocabKv }, tensors: [] };
  return llamaSpec({ name, shape, types: { embedding: type, output: type, layers: type }, weights: () => 'random', vocabKv });
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
