/**
 * A GGUF vocabulary in the shape llama.cpp's llama_vocab keeps it: token texts, scores, attributes,
 * merges and the special ids. Built once per model; every tokenizer function takes one.
 */

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
  /** `general.name`, used by llama.cpp for a few per-model token attributes. */
  name?: string;
  tokens: readonly string[];
  scores?: ArrayLike<number>;
  tokenTypes?: ArrayLike<number>;
  merges?: readonly string[];
  bosId?: number;
  eosId?: number;
  eotId?: number;
  unkId?: number;
  addBos?: boolean;
  addEos?: boolean;
  addSpacePrefix?: boolean;
}

export interface Vocab {
  model: TokenizerModel;
  pre: string;
  tokens: readonly string[];
  scores: Float32Array;
  attrs: Uint16Array;
  tokenToId: Map<string, number>;
  /** BPE merge ranks keyed by "left right". Empty for SPM. */
  mergeRanks: Map<string, number>;
  /** Ids of control, user-defined and unknown tokens, longest text first (llama.cpp's cache_special_tokens). */
  specialTokens: number[];
  bosId: number | null;
  eosId: number | null;
  eotId: number | null;
  /** End-of-generation ids, as llama.cpp derives them. */
  eogIds: Set<number>;
  addBos: boolean;
  addEos: boolean;
  addSpacePrefix: boolean;
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

// Texts llama.cpp treats as end-of-generation (and forces to control type) whatever the GGUF says.
const EOG_TEXTS = new Set([
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '<|end_of_text|>',
]);

export function buildVocab(src: VocabSource): Vocab {
  const n = src.tokens.length;
  const scores = new Float32Array(n);
  const attrs = new Uint16Array(n);
  const tokenToId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    tokenToId.set(src.tokens[i], i); // last duplicate wins, as in llama.cpp
    scores[i] = src.scores ? src.scores[i] : 0;
    attrs[i] = typeToAttr(src.tokenTypes ? src.tokenTypes[i] : TokenType.Normal);
  }

  const mergeRanks = new Map<string, number>();
  src.merges?.forEach((m, rank) => mergeRanks.set(m, rank));

  const isSpm = src.model === 'llama';
  const bosId = src.bosId ?? (isSpm ? 1 : null);
  const eosId = src.eosId ?? (isSpm ? 2 : null);
  const eotId = src.eotId ?? null;

  const eogIds = new Set<number>();
  tokenToId.forEach((id, text) => {
    if (EOG_TEXTS.has(text)) {
      eogIds.add(id);
      attrs[id] |= Attr.Control;
    }
  });
  if (eosId !== null) eogIds.add(eosId);
  if (eotId !== null) eogIds.add(eotId);

  const specialTokens: number[] = [];
  for (let i = 0; i < n; i++) {
    if (attrs[i] & (Attr.Control | Attr.UserDefined | Attr.Unknown)) specialTokens.push(i);
  }
  // Stable sort: equal lengths keep id order (llama.cpp's std::sort leaves them unspecified).
  specialTokens.sort((a, b) => utf8Length(src.tokens[b]) - utf8Length(src.tokens[a]));

  return {
    model: src.model,
    pre: src.pre ?? 'default',
    tokens: src.tokens,
    scores,
    attrs,
    tokenToId,
    mergeRanks,
    specialTokens,
    bosId,
    eosId,
    eotId,
    eogIds,
    addBos: src.addBos ?? isSpm,
    addEos: src.addEos ?? false,
    addSpacePrefix: src.addSpacePrefix ?? isSpm,
  };
}

const encoder = new TextEncoder();
export const utf8Length = (s: string): number => encoder.encode(s).length;
