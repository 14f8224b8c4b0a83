/**
 * The text-based rules of llama.cpp's llama_vocab::impl::load: special ids found by token text when
 * the GGUF does not give them, the end-of-generation set, and the attribute fixes that follow from
 * them and from the model's name. They change which texts count as special tokens, so the
 * tokenizer must apply them exactly. Lists as in the llama.cpp build the tests compare against.
 */
import type { FimKind, VocabSource } from './vocab';

// Attr bits used here (same values as vocab.ts's Attr; not imported to avoid an import cycle).
const NORMAL = 1 << 2;
const CONTROL = 1 << 3;
const USER_DEFINED = 1 << 4;
const UNUSED = 1 << 1;
const LSTRIP = 1 << 7;
const RSTRIP = 1 << 8;

export interface SpecialIds {
  bos: number | null;
  eos: number | null;
  eot: number | null;
  eom: number | null;
  unk: number | null;
  fim: Record<FimKind, number | null>;
}

const EOT_TEXTS = [
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|end_of_text|>', '<EOT>', '_<EOT>', '[EOT]',
  '<｜end▁of▁sentence｜>', '<end_of_utterance>',
];
const FIM_TEXTS: Record<FimKind, string[]> = {
  pre: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'],
  suf: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'],
  mid: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'],
  pad: ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]'],
  rep: ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  sep: ['<|file_sep|>'],
};
const EOG_TEXTS = new Set([
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<|return|>', '<|call|>', '<|flush|>', '<|calls|>', '<end_of_turn>',
  '<|endoftext|>', '</s>', '<|eom_id|>', '<EOT>', '_<EOT>', '[EOT]', '[EOS]', '<|end_of_text|>', '<end_of_utterance>',
  '<eos>', '<turn|>', '<|tool_response>', '<｜end▁of▁sentence｜>', '[e~[',
]);
// gpt-oss tokens llama.cpp always renders (forced to user-defined).
const ALWAYS_RENDERED = new Set(['<|channel|>', '<|message|>', '<|start|>', '<|constrain|>']);

/**
 * Fills EOT, EOM and FIM ids the GGUF left out by looking for their usual texts, forcing each one
 * found to control type. llama.cpp walks an unordered_map, so with several candidates its pick is
 * unspecified; this takes the first in id order.
 */
export function detectSpecialIds(tokenToId: Map<string, number>, attrs: Uint16Array, ids: SpecialIds): void {
  const find = (texts: string[]): number | null => {
    let best: number | null = null;
    for (const t of texts) {
      const id = tokenToId.get(t);
      if (id !== undefined && (best === null || id < best)) best = id;
    }
    if (best !== null) attrs[best] |= CONTROL;
    return best;
  };
  if (ids.eot === null) ids.eot = find(EOT_TEXTS);
  if (ids.eom === null) ids.eom = find(['<|eom_id|>']);
  for (const k of Object.keys(FIM_TEXTS) as FimKind[]) if (ids.fim[k] === null) ids.fim[k] = find(FIM_TEXTS[k]);
}

/** Marks unused control tokens, builds the end-of-generation set and applies llama.cpp's fixes. */
export function eogAndAttrFixes(
  tokens: readonly string[],
  tokenToId: Map<string, number>,
  attrs: Uint16Array,
  ids: SpecialIds,
): Set<number> {
  tokenToId.forEach((id, text) => {
    if (attrs[id] & CONTROL && text.includes('unused')) attrs[id] |= UNUSED;
  });

  const eog = new Set<number>();
  for (const id of [ids.fim.pad, ids.fim.rep, ids.fim.sep]) if (id !== null) eog.add(id);
  tokenToId.forEach((id, text) => {
    if (EOG_TEXTS.has(text)) {
      eog.add(id);
      attrs[id] |= CONTROL;
    }
  });
  tokenToId.forEach((id, text) => {
    if (ALWAYS_RENDERED.has(text)) attrs[id] = USER_DEFINED;
  });
  for (const id of [ids.eos, ids.eot, ids.eom]) if (id !== null) eog.add(id);

  // Harmony / solar-open: <|end|> is not end-of-generation when <|return|> and <|call|> exist.
  const eogTexts = new Map([...eog].map((id) => [tokens[id], id]));
  const has = (t: string): boolean => eogTexts.has(t);
  const hasCall = has('<|call|>') || has('<|calls|>');
  if (has('<|end|>') && ((has('<|return|>') && hasCall) || (hasCall && has('<|flush|>')))) {
    const end = eogTexts.get('<|end|>')!;
    eog.delete(end);
    attrs[end] = USER_DEFINED;
  }
  // Gemma 4 / PaddleOCR: </s> is not end-of-generation next to <|tool_response>.
  if (has('<|tool_response>') && has('</s>')) {
    const s = eogTexts.get('</s>')!;
    eog.delete(s);
    attrs[s] = NORMAL;
  }
  return eog;
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const containsAny = (s: string, parts: string[]): boolean => parts.some((p) => s.includes(p));

/** Attributes llama.cpp sets by model, tokenizer or architecture name (after the special-token cache is built). */
export function perModelAttrs(
  src: VocabSource,
  tokenToId: Map<string, number>,
  attrs: Uint16Array,
  specialTokens: readonly number[],
): void {
  const set = (text: string, bit: number, on: boolean): void => {
    const id = tokenToId.get(text);
    if (id !== undefined) attrs[id] = on ? attrs[id] | bit : attrs[id] & ~bit;
  };
  const name = asciiLower(src.name ?? '');
  const arch = src.architecture ?? '';
  if (containsAny(src.pre ?? '', ['jina-v2-de', 'jina-v2-es', 'jina-v2-code']) || containsAny(arch, ['nomic-bert-moe', 'jina-bert-v3'])) {
    set('<mask>', LSTRIP, true);
  } else if (containsAny(name, ['phi-3', 'phi3'])) {
    for (const id of specialTokens) attrs[id] |= RSTRIP;
    set('</s>', RSTRIP, true);
    for (const t of ['<unk>', '<s>', '<|endoftext|>']) set(t, RSTRIP, false);
  } else if (name.includes('modern-bert')) {
    set('[MASK]', LSTRIP, true);
  }
}
