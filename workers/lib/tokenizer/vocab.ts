/**
 * A GGUF vocabulary in the shape llama.cpp's llama_vocab keeps it: token texts, scores, attributes,
 * merges and the special ids, derived the way llama_vocab::impl::load derives them (defaults per
 * tokenizer type, text-based special-token detection, per-model attribute fixes). Built once per
 * model; every tokenizer function takes one.
 */
import { preTokenizerFor, type PreTokenizer } from './pretokenize';
import { detectSpecialIds, eogAndAttrFixes, perModelAttrs, type SpecialIds } from './vocab-rules';

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type). */
export const TokenType = {
  Undefined: 0,
  Normal: 1,
  Unknown: 2,
  Control: 3,
  UserDefined: 4,
  Unused: 5,
  Byte: 6,
} as const;

/** llama.cpp's llama_token_attr bit flags. */
export const Attr = {
  Undefined: 0,
  Unknown: 1 << 0,
  Unused: 1 << 1,
  Normal: 1 << 2,
  Control: 1 << 3,
  UserDefined: 1 << 4,
  Byte: 1 << 5,
  Normalized: 1 << 6,
  LStrip: 1 << 7,
  RStrip: 1 << 8,
  SingleWord: 1 << 9,
} as const;

export type TokenizerModel = 'llama' | 'gpt2';

export interface VocabSource {
  model: TokenizerModel;
  /** `tokenizer.ggml.pre` (BPE pre-tokenizer name), if any. */
  pre?: string;
  /** `general.name`: llama.cpp sets a few token attributes by model name (Phi-3). */
  name?: string;
  /** `general.architecture`: likewise, for a few architectures. */
  architecture?: string;
  tokens: readonly string[];
  scores?: ArrayLike<number>;
  tokenTypes?: ArrayLike<number>;
  merges?: readonly string[];
  bosId?: number;
  eosId?: number;
  eotId?: number;
  eomId?: number;
  unkId?: number;
  /** FIM ids from the GGUF (fim_pre/suf/mid/pad/rep/sep_token_id); missing ones are found by text. */
  fimIds?: Partial<Record<FimKind, number>>;
  addBos?: boolean;
  addEos?: boolean;
  addSpacePrefix?: boolean;
}

export type FimKind = 'pre' | 'suf' | 'mid' | 'pad' | 'rep' | 'sep';

export interface Vocab {
  model: TokenizerModel;
  pre: string;
  /** The BPE pre-tokenizer; null for SPM, or for a `pre` this port does not implement. */
  preTokenizer: PreTokenizer | null;
  tokens: readonly string[];
  scores: Float32Array;
  attrs: Uint16Array;
  tokenToId: Map<string, number>;
  /** BPE merges as llama.cpp splits them (at the first space after the first character). Empty for SPM. */
  merges: readonly (readonly [string, string])[];
  /** BPE merge ranks keyed by "left right" (the first rank of a duplicate pair wins). Empty for SPM. */
  mergeRanks: Map<string, number>;
  /** Ids of control, user-defined and unknown tokens, longest text first (llama.cpp's cache_special_tokens). */
  specialTokens: number[];
  bosId: number | null;
  eosId: number | null;
  eotId: number | null;
  unkId: number | null;
  /** End-of-generation ids, as llama.cpp derives them. */
  eogIds: Set<number>;
  addBos: boolean;
  addEos: boolean;
  addSpacePrefix: boolean;
  /** llama_detokenize's clean_up_tokenization_spaces (BPE types but a few pre-tokenizers). */
  cleanSpaces: boolean;
}

const typeToAttr = (type: number): number => {
  switch (type) {
    case TokenType.Normal:
      return Attr.Normal;
    case TokenType.Unknown:
      return Attr.Unknown;
    case TokenType.Control:
      return Attr.Control;
    case TokenType.UserDefined:
      return Attr.UserDefined;
    case TokenType.Unused:
      return Attr.Unused;
    case TokenType.Byte:
      return Attr.Byte;
    default:
      return Attr.Undefined;
  }
};

// BPE pre-tokenizers for which llama.cpp turns clean_spaces off (it is on for the other BPE types).
const NO_CLEAN_SPACES_PRE = new Set([
  'deepseek-llm', 'deepseek-coder', 'deepseek-v3', 'spark2_5', 'youtu', 'command-r', 'qwen2', 'deepseek-r1-qwen', 'kormo',
  'f2llmv2', 'qwen35', 'poro-chat', 'viking', 'tekken', 'smollm', 'chameleon', 'gpt-4o', 'llama4', 'kanana2', 'talkie',
  'granite-embed-multi-97m', 'tiny_aya', 'cohere2moe', 'superbpe', 'trillion', 'granite-docling', 'bailingmoe',
  'bailingmoe2', 'llada-moe', 'seed-coder', 'hunyuan', 'hunyuan-dense', 'hy_v4', 'joyai-llm', 'kimi-k2', 'ufakzeka',
  'grok-2', 'afmoe', 'laguna', 'minimax-m2', 'solar-open', 'sarvam-moe',
]);

/** Splits a merge the way llama.cpp does: at the first space from the second byte on. */
function splitMerge(m: string): [string, string] {
  const at = m.indexOf(' ', 1);
  return at < 0 ? ['', ''] : [m.slice(0, at), m.slice(at + 1)];
}

export function buildVocab(src: VocabSource): Vocab {
  const isSpm = src.model === 'llama';
  const pre = isSpm || !src.pre ? 'default' : src.pre; // a missing or empty pre means 'default' (llama.cpp warns)
  const preTokenizer = isSpm ? null : preTokenizerFor(pre);
  const n = src.tokens.length;

  // Empty token texts are renamed, so they can neither match nor collide (llama.cpp does the same).
  const tokens = src.tokens.map((t, i) => (t.length === 0 ? `[EMPTY_${i}]` : t));
  const scores = new Float32Array(n);
  const attrs = new Uint16Array(n);
  const tokenToId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    tokenToId.set(tokens[i], i); // last duplicate wins, as in llama.cpp
    scores[i] = src.scores ? src.scores[i] : 0;
    attrs[i] = src.tokenTypes ? typeToAttr(src.tokenTypes[i]) : Attr.Normal;
  }

  const merges = isSpm ? [] : (src.merges ?? []).map(splitMerge);
  const mergeRanks = new Map<string, number>();
  merges.forEach(([a, b], rank) => {
    const key = `${a} ${b}`;
    if (!mergeRanks.has(key)) mergeRanks.set(key, rank);
  });

  // Defaults by tokenizer type; an id out of the vocabulary is dropped (default) or ignored (given).
  const pick = (given: number | undefined, fallback: number | null): number | null => {
    const def = fallback !== null && fallback < n ? fallback : null;
    return given !== undefined && given >= 0 && given < n ? given : def;
  };
  const noBos = pre === 'glm4' || pre === 'chatglm-bpe';
  const ids: SpecialIds = {
    bos: pick(src.bosId, isSpm ? 1 : noBos ? null : 11),
    eos: pick(src.eosId, isSpm ? 2 : 11),
    eot: pick(src.eotId, null),
    eom: pick(src.eomId, null),
    unk: pick(src.unkId, isSpm ? 0 : null),
    fim: {
      pre: pick(src.fimIds?.pre, null),
      suf: pick(src.fimIds?.suf, null),
      mid: pick(src.fimIds?.mid, null),
      pad: pick(src.fimIds?.pad, null),
      rep: pick(src.fimIds?.rep, null),
      sep: pick(src.fimIds?.sep, null),
    },
  };

  detectSpecialIds(tokenToId, attrs, ids);
  const eogIds = eogAndAttrFixes(tokens, tokenToId, attrs, ids);

  const specialTokens: number[] = [];
  for (let i = 0; i < n; i++) {
    if (attrs[i] & (Attr.Control | Attr.UserDefined | Attr.Unknown)) specialTokens.push(i);
  }
  // Longest (in bytes) first. Stable sort: equal lengths keep id order (llama.cpp's std::sort leaves them unspecified).
  const bytes = specialTokens.map((id) => utf8Length(tokens[id]));
  const byteLen = new Map(specialTokens.map((id, i) => [id, bytes[i]]));
  specialTokens.sort((a, b) => byteLen.get(b)! - byteLen.get(a)!);

  perModelAttrs(src, tokenToId, attrs, specialTokens);

  return {
    model: src.model,
    pre,
    preTokenizer,
    tokens,
    scores,
    attrs,
    tokenToId,
    merges,
    mergeRanks,
    specialTokens,
    bosId: ids.bos,
    eosId: ids.eos,
    eotId: ids.eot,
    unkId: ids.unk,
    eogIds,
    addBos: src.addBos ?? (isSpm || (preTokenizer?.addBos ?? false)),
    addEos: src.addEos ?? false,
    addSpacePrefix: src.addSpacePrefix ?? isSpm,
    cleanSpaces: !isSpm && !NO_CLEAN_SPACES_PRE.has(pre),
  };
}

const encoder = new TextEncoder();
const utf8Length = (s: string): number => encoder.encode(s).length;
