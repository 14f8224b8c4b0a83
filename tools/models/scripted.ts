/**
 * Scripted models: llama-shaped GGUFs whose greedy reply is known in advance (GUIDE.md §4).
 * Attention output and FFN down-projection are zero, so the residual stream is the token embedding
 * and the next token depends on the current one alone. Reply token i gets the one-hot embedding
 * e_(i+1); every other token gets e_0. Output row of reply token 0 points at e_0 and output row of
 * reply token i at e_i, so any token outside the reply leads to its first token, and each reply
 * token to the next one, ending with the end-of-turn token. Each reply token may occur once, and not
 * be the prompt's last token.
 */
import { buildVocab, tokenize, type Vocab } from '../../workers/lib/tokenizer/index';
import type { KvMap } from './gguf-writer';
import { llamaSpec, type LlamaShape, type TensorTypes } from './llama-model';
import { GgmlType } from './quant';
import { END_OF_TURN, openChatVocab, openChatVocabKv, VOCAB_SIZE } from './openchat-vocab';

const COLON = 28747; // ":" ends every OpenChat generation prompt

export interface ScriptedShapeOptions {
  layers?: number;
  /** Hidden size; at least the reply length + 1 and a multiple of 32 (default: the smallest that fits, min 64). */
  dim?: number;
  ff?: number;
  types?: TensorTypes;
}

export interface ScriptedOptions extends ScriptedShapeOptions {
  name: string;
  /** Reply token ids, without the final <|end_of_turn|> (added here). */
  reply: number[];
  chatTemplate?: string | null;
  /** Override EOS / EOT ids in the vocabulary keys (see openChatVocabKv). */
  eosId?: number;
  eotId?: number | null;
  extraKv?: KvMap;
}

export interface ScriptedCore extends ScriptedShapeOptions {
  name: string;
  /** The whole reply, ending with the end-of-turn token. */
  reply: number[];
  vocabSize: number;
  vocabKv: KvMap;
  /** Tokens the reply may not contain (e.g. the prompt's last token). */
  forbidden?: number[];
  extraKv?: KvMap;
}

/** A scripted model for any vocabulary: see the file comment for how the weights encode the reply. */
export function scriptedCoreSpec(opts: ScriptedCore) {
  const reply = opts.reply;
  const body = reply.slice(0, -1);
  const seen = new Set<number>();
  for (const id of body) {
    if (seen.has(id)) throw new Error(`scripted reply repeats token ${id}; each reply token may occur once`);
    if (id === reply[reply.length - 1] || opts.forbidden?.includes(id)) throw new Error(`scripted reply may not contain token ${id}`);
    if (id < 0 || id >= opts.vocabSize) throw new Error(`token ${id} is outside the vocabulary`);
    seen.add(id);
  }
  const dim = opts.dim ?? Math.max(64, Math.ceil(reply.length / 32) * 32);
  if (dim < reply.length || dim % 32 !== 0) throw new Error(`dim ${dim} cannot hold a ${reply.length}-token reply`);
  const shape: LlamaShape = {
    vocab: opts.vocabSize,
    dim,
    layers: opts.layers ?? 1,
    heads: dim / 32,
    kvHeads: dim / 32,
    ff: opts.ff ?? dim * 2,
    ctx: 8192,
  };
  // Hidden dimension that encodes "the current token is body[i]".
  const slot = new Map<number, number>();
  body.forEach((id, i) => slot.set(id, i + 1));
  const target = new Map<number, number>();
  reply.forEach((id, i) => target.set(id, i));
  // rmsnorm turns a one-hot row into sqrt(dim) * e_i; aim for a winning logit of 40.
  const gain = 40 / Math.sqrt(dim);

  return llamaSpec({
    name: opts.name,
    shape,
    types: opts.types ?? { embedding: GgmlType.Q8_0, output: GgmlType.Q8_0, layers: GgmlType.Q8_0 },
    vocabKv: opts.vocabKv,
    extraKv: opts.extraKv,
    weights: (name) => {
      if (name === 'token_embd.weight') {
        return (token, row) => {
          row[slot.get(token) ?? 0] = 1;
        };
      }
      if (name === 'output.weight') {
        return (token, row) => {
          const i = target.get(token);
          if (i !== undefined) row[i] = gain;
        };
      }
      return () => {}; // all other matrices stay zero
    },
  });
}

/** A scripted model with the OpenChat / Starling vocabulary; the reply ends with <|end_of_turn|>. */
export function scriptedSpec(opts: ScriptedOptions) {
  return scriptedCoreSpec({
    ...opts,
    reply: [...opts.reply, END_OF_TURN],
    vocabSize: VOCAB_SIZE,
    vocabKv: openChatVocabKv({ chatTemplate: opts.chatTemplate, eosId: opts.eosId, eotId: opts.eotId }),
    forbidden: [COLON],
  });
}

let vocab: Vocab | undefined;

/** The OpenChat vocabulary as the app's tokenizer sees it. */
export function openChatTokenizerVocab(): Vocab {
  if (vocab) return vocab;
  const v = openChatVocab();
  vocab = buildVocab({
    model: 'llama',
    tokens: v.tokens,
    scores: v.scores,
    tokenTypes: v.types,
    bosId: 1,
    eosId: END_OF_TURN,
    eotId: END_OF_TURN,
  });
  return vocab;
}

const byteId = (v: Vocab, b: number): number => v.tokenToId.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)!;

/** The OpenChat vocabulary's byte token for one byte (`<0xFF>` is id 258). */
export const byteTokenId = (b: number): number => byteId(openChatTokenizerVocab(), b);

/**
 * Token ids that decode to `text` with no id used twice: the canonical tokenization, where a piece
 * already used is replaced by two unused sub-pieces or, failing that, by its byte tokens.
 */
export function uniqueReplyIds(text: string): number[] {
  const v = openChatTokenizerVocab();
  const used = new Set<number>();
  const out: number[] = [];
  const take = (ids: number[]): boolean => {
    if (ids.some((id) => used.has(id) || id === COLON) || new Set(ids).size !== ids.length) return false;
    ids.forEach((id) => used.add(id));
    out.push(...ids);
    return true;
  };
  for (const id of tokenize(v, text, { addSpecial: false, parseSpecial: false })) {
    if (take([id])) continue;
    const piece = v.tokens[id];
    let done = false;
    for (let cut = 1; cut < piece.length && !done; cut++) {
      const a = v.tokenToId.get(piece.slice(0, cut));
      const b = v.tokenToId.get(piece.slice(cut));
      if (a !== undefined && b !== undefined && a > 258 && b > 258) done = take([a, b]);
    }
    if (!done) {
      const bytes = new TextEncoder().encode(piece.replaceAll('\u2581', ' '));
      if (!take([...bytes].map((b) => byteId(v, b)))) {
        throw new Error(`cannot script "${text}": piece "${piece}" occurs too often`);
      }
    }
  }
  return out;
}
