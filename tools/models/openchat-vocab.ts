/**
 * The OpenChat 3.5 / Starling vocabulary: Mistral's 32000 SentencePiece pieces (from
 * mistral-tokenizer-js, in id order) plus <|end_of_turn|> (32000) and <|pad_0|> (32001), with the
 * scores and token types that make llama.cpp reproduce the model card's token ids (see GUIDE.md §4).
 */
import mistralTokenizer from 'mistral-tokenizer-js';
import { kv, type KvMap } from './gguf-writer';

export const END_OF_TURN = 32000;
export const PAD_0 = 32001;
export const VOCAB_SIZE = 32002;

// Pieces made only of U+2581; llama.cpp must not prefer them over merging with the next word.
const WHITESPACE_IDS = new Set([259, 260, 273, 355, 359, 428, 558, 569, 756, 1417, 2287, 2600, 5390, 17422, 28705]);

/** The chat template of Starling-LM-7B-alpha/beta and OpenChat 3.5, as their tokenizer_config ships it. */
export const OPENCHAT_JINJA_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ 'GPT4 Correct ' + message['role'].title() + ': ' + message['content'] + '<|end_of_turn|>'}}{% endfor %}{% if add_generation_prompt %}{{ 'GPT4 Correct Assistant:' }}{% endif %}";

/** The older OpenChat format a popular GGUF repackager's card gives (no "Correct"). */
export const OLD_OPENCHAT_JINJA_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ 'GPT4 ' + message['role'].title() + ': ' + message['content'] + '<|end_of_turn|>'}}{% endfor %}{% if add_generation_prompt %}{{ 'GPT4 Assistant:' }}{% endif %}";

export interface OpenChatVocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

let cached: OpenChatVocab | undefined;

export function openChatVocab(): OpenChatVocab {
  if (cached) return cached;
  const pieces: string[] = mistralTokenizer.vocabById;
  if (pieces.length !== 32000) throw new Error(`expected 32000 Mistral pieces, found ${pieces.length}`);
  const tokens = [...pieces, '<|end_of_turn|>', '<|pad_0|>'];
  const scores = tokens.map((_, id) => {
    if (id <= 258 || id >= 32000) return 0;
    if (WHITESPACE_IDS.has(id)) return -1e9;
    return -(id - 259);
  });
  const types = tokens.map((_, id) => {
    if (id === 0) return 2; // unknown
    if (id === 1 || id === 2 || id >= 32000) return 3; // control
    if (id <= 258) return 6; // byte
    return 1; // normal
  });
  cached = { tokens, scores, types };
  return cached;
}

export interface VocabKvOptions {
  /** Jinja chat template to embed; null embeds none. */
  chatTemplate?: string | null;
  /** EOS id (default <|end_of_turn|>; some conversions ship </s> = 2). */
  eosId?: number;
  /** EOT id; null writes no EOT key. */
  eotId?: number | null;
}

export function openChatVocabKv(opts: VocabKvOptions = {}): KvMap {
  const v = openChatVocab();
  const out: KvMap = {
    'tokenizer.ggml.model': kv.str('llama'),
    'tokenizer.ggml.tokens': kv.strs(v.tokens),
    'tokenizer.ggml.scores': kv.f32s(v.scores),
    'tokenizer.ggml.token_type': kv.i32s(v.types),
    'tokenizer.ggml.bos_token_id': kv.u32(1),
    'tokenizer.ggml.eos_token_id': kv.u32(opts.eosId ?? END_OF_TURN),
    'tokenizer.ggml.unknown_token_id': kv.u32(0),
    'tokenizer.ggml.padding_token_id': kv.u32(0),
    'tokenizer.ggml.add_bos_token': kv.bool(true),
    'tokenizer.ggml.add_eos_token': kv.bool(false),
    'tokenizer.ggml.add_space_prefix': kv.bool(true),
  };
  const eot = opts.eotId === undefined ? END_OF_TURN : opts.eotId;
  if (eot !== null) out['tokenizer.ggml.eot_token_id'] = kv.u32(eot);
  const template = opts.chatTemplate === undefined ? OPENCHAT_JINJA_TEMPLATE : opts.chatTemplate;
  if (template !== null) out['tokenizer.chat_template'] = kv.str(template);
  return out;
}
