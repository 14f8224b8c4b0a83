/**
 * Turns a rendered chat prompt into the exact text the engine is sent, and its tokens.
 *
 * wllama (3.8, 3.13) takes a text prompt and llama.cpp tokenizes it with special-token parsing on, so a
 * message containing `<|end_of_turn|>GPT4 Correct Assistant:` (typed, pasted, or a reply fed back as
 * history) would forge a turn. Token ids cannot be sent instead: wllama's completion request only
 * accepts a string prompt (llama.cpp answers an id array with "type must be string"). So inside
 * message text, every special token's text is broken by a WORD JOINER (U+2060, invisible) after its
 * first character: the engine then reads it as plain text, and the app's tokenizer, given the same
 * string, gives the same ids the engine evaluates (checked per reply against the engine's count and
 * its detokenized prompt). The Template panel lists each such place.
 */
import type { PromptText } from '../templates/prompt-text';
import { llamaDetokenize } from './detokenize';
import { tokenize, type Vocab } from './index';
import { partitionSpecial, type KeptSpecial } from './partition';

/** The app's own tokenization of a prompt. */
export interface Tokenization {
  /** The prompt text as sent to the engine (special-token text inside messages broken, see tokenizer/prompt.ts). */
  text: string;
  ids: number[];
  /** Vocabulary text of each token (e.g. "▁Hello", "<0xF0>", "<|end_of_turn|>"). */
  pieces: string[];
  /** The ids decoded as llama_detokenize(special tokens written) does: what llama-server reports as the prompt. */
  detokenized: string;
  /** [start, end) of each part of the prompt text that became a special token (the template's markers). */
  specialSpans: [number, number][];
  /** Special-token texts found inside message text, and where their broken (plain text) form is in `text`. */
  neutralized: Neutralized[];
}

export const WORD_JOINER = '\u2060';

/** A special token's text found in message text, and where its broken form is in the sent text. */
export interface Neutralized {
  text: string;
  start: number;
  end: number;
}

/** Breaks every guarded special-token text inside message text; the result parses with no special token there. */
function neutralizeSpecials(vocab: Vocab, prompt: PromptText): { prompt: PromptText; neutralized: Neutralized[] } {
  let text = prompt.text;
  let plain = prompt.plain.map(([a, b]) => [a, b] as [number, number]);
  // Insertion points so far, in the current text (kept sorted), to report where each occurrence ended up.
  let found: Neutralized[] = [];
  // Each pass breaks every occurrence; a break that makes a new one (not seen in real vocabularies) gets another pass.
  for (let pass = 0; pass < 8; pass++) {
    const kept: KeptSpecial[] = [];
    partitionSpecial(vocab, text, { parseSpecial: true, plain, kept });
    if (kept.length === 0) break;
    const cuts = [...new Set(kept.map((k) => k.start + 1))].sort((a, b) => b - a); // from the end: offsets stay valid
    for (const cut of cuts) {
      text = text.slice(0, cut) + WORD_JOINER + text.slice(cut);
      plain = plain.map(([a, b]) => [a >= cut ? a + 1 : a, b >= cut ? b + 1 : b]);
      found = found.map((f) => ({ ...f, start: f.start >= cut ? f.start + 1 : f.start, end: f.end > cut ? f.end + 1 : f.end }));
    }
    for (const k of kept) {
      const shift = cuts.filter((c) => c <= k.start).length; // cuts before this occurrence
      const inside = cuts.filter((c) => c > k.start && c < k.end).length;
      found.push({ text: vocab.tokens[k.id], start: k.start + shift, end: k.end + shift + inside });
    }
  }
  found.sort((a, b) => a.start - b.start);
  return { prompt: { text, plain }, neutralized: found };
}

/** The text the engine is sent, and the app's tokenization of it (BOS as the vocabulary asks). */
export function tokenizePrompt(vocab: Vocab, prompt: PromptText): Tokenization {
  const { prompt: sent, neutralized } = neutralizeSpecials(vocab, prompt);
  const specialSpans: [number, number][] = [];
  // Tokenized exactly as llama.cpp will (special tokens parsed everywhere): the same ids by construction.
  const ids = tokenize(vocab, sent.text, { addSpecial: true, parseSpecial: true, specialSpans });
  return {
    text: sent.text,
    ids,
    pieces: ids.map((id) => vocab.tokens[id] ?? ''),
    detokenized: llamaDetokenize(vocab, ids, { unparseSpecial: true }),
    specialSpans,
    neutralized,
  };
}
