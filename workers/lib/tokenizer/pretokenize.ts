/**
 * BPE pre-tokenization as llama.cpp's unicode_regex_split does it: a list of steps per pre-tokenizer
 * type, each re-splitting the pieces the previous one produced (never across their boundaries).
 * Steps that llama.cpp runs through a hand-written matcher are in bpe-matchers.ts; the few
 * std::regex steps the supported types use are single character classes, written out here as
 * plain loops over llama.cpp's code point flags.
 */
import { gpt2, llama3Like, type Step } from './bpe-matchers';
import { cptFlags, Flag } from './unicode-flags';

/**
 * A std::regex step that is one character class: every match (a single code point, or a maximal
 * run when `run`) becomes a piece, and so does each stretch between matches.
 */
const classStep =
  (test: (cp: number, flags: number) => boolean, run: boolean): Step =>
  (cps, fl, offsets) => {
    const out: number[] = [];
    let start = 0;
    for (const len of offsets) {
      const end = start + len;
      let gap = start;
      for (let pos = start; pos < end; ) {
        if (!test(cps[pos], fl[pos])) {
          pos++;
          continue;
        }
        if (pos > gap) out.push(pos - gap);
        let stop = pos + 1;
        if (run) while (stop < end && test(cps[stop], fl[stop])) stop++;
        out.push(stop - pos);
        pos = gap = stop;
      }
      if (end > gap) out.push(end - gap);
      start = end;
    }
    return out;
  };

// llama.cpp runs \p{...} classes over a "collapsed" text: ASCII stays itself, other code points
// become one byte per category (whitespace first), so a class means: the ASCII characters listed
// in its k_ucat_map, or any non-ASCII code point of that category that is not whitespace.
const category = (flags: number, cat: number): boolean =>
  !(flags & Flag.Whitespace) && (flags & Flag.Categories) === cat;
const isDigit = (cp: number): boolean => cp >= 0x30 && cp <= 0x39;

/** \p{N} */
const number = (cp: number, flags: number): boolean => (cp < 0x80 ? isDigit(cp) : category(flags, Flag.Number));

// [\p{P}\$\+<=>\^~\|]: llama.cpp's ASCII punctuation list plus $ + < = > ^ ~ |
const ASCII_PUNCT_OR_LISTED = new Set([...'!"#%&\'()*,-./:;?@[\\]_{}$+<=>^~|'].map((c) => c.charCodeAt(0)));
const punctOrListed = (cp: number, flags: number): boolean =>
  cp < 0x80 ? ASCII_PUNCT_OR_LISTED.has(cp) : category(flags, Flag.Punctuation);

/** [0-9][0-9][0-9] (std::wregex, leftmost non-overlapping matches) */
const digitTriples: Step = (cps, _fl, offsets) => {
  const out: number[] = [];
  let start = 0;
  for (const len of offsets) {
    const end = start + len;
    let gap = start;
    for (let pos = start; pos + 3 <= end; ) {
      if (isDigit(cps[pos]) && isDigit(cps[pos + 1]) && isDigit(cps[pos + 2])) {
        if (pos > gap) out.push(pos - gap);
        out.push(3);
        pos = gap = pos + 3;
      } else pos++;
    }
    if (end > gap) out.push(end - gap);
    start = end;
  }
  return out;
};

export interface PreTokenizer {
  steps: Step[];
  /** llama.cpp's ignore_merges: a word that is a token as a whole is taken as is. */
  ignoreMerges: boolean;
  /** The type forces add_bos on (before the GGUF's own add_bos_token, which wins). */
  addBos: boolean;
}

const pre = (steps: Step[], extra: Partial<PreTokenizer> = {}): PreTokenizer => ({
  steps,
  ignoreMerges: false,
  addBos: false,
  ...extra,
});

const GPT2 = pre([gpt2]);
const STARCODER = pre([classStep(number, false), gpt2]);
const LLAMA3_REGEX = pre([llama3Like(3)]);
const LLAMA3 = pre([llama3Like(3)], { ignoreMerges: true, addBos: true });
const QWEN2 = pre([llama3Like(1)]);
const DEFAULT = pre([classStep(punctOrListed, true), gpt2, classStep(number, true), digitTriples]);

// tokenizer.ggml.pre names, grouped as llama.cpp's llama_vocab::impl::load groups them.
const BY_NAME: Record<string, PreTokenizer> = {
  default: DEFAULT,
  ...Object.fromEntries(
    ['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2', 'jina-v5-nano'].map((n) => [
      n,
      LLAMA3,
    ]),
  ),
  ...Object.fromEntries(['dbrx', 'smaug-bpe', 'glm4', 'chatglm-bpe'].map((n) => [n, LLAMA3_REGEX])),
  ...Object.fromEntries(
    ['qwen2', 'deepseek-r1-qwen', 'kormo', 'f2llmv2', 'stablelm2', 'megrez', 'hunyuan', 'solar-open', 'grok-2'].map((n) => [
      n,
      QWEN2,
    ]),
  ),
  ...Object.fromEntries(
    ['starcoder', 'refact', 'command-r', 'smollm', 'codeshell', 'exaone', 'minerva-7b', 'mellum2'].map((n) => [n, STARCODER]),
  ),
  ...Object.fromEntries(
    [
      'gpt-2',
      'phi-2',
      'jina-es',
      'jina-de',
      'gigachat',
      'jina-v2-es',
      'jina-v2-de',
      'a.x-4.0',
      'mellum',
      'modern-bert',
      'jina-v1-en',
      'jina-v2-code',
      'roberta-bpe',
      'mpt',
      'olmo',
      'jais',
      'exaone4',
      'trillion',
      'granite-docling',
    ].map((n) => [n, GPT2]),
  ),
};

/** The pre-tokenizer for a `tokenizer.ggml.pre` value, or null where this port has none. */
export function preTokenizerFor(name: string): PreTokenizer | null {
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : null;
}

/** Splits raw text into the words BPE merges run within. */
export function preTokenize(p: PreTokenizer, text: string): string[] {
  const n = text.length;
  const cps = new Uint32Array(n);
  const at = new Uint32Array(n + 1); // UTF-16 index of each code point
  let count = 0;
  for (let i = 0; i < n; i++) {
    const cp = text.codePointAt(i)!;
    at[count] = i;
    cps[count++] = cp;
    if (cp > 0xffff) i++;
  }
  at[count] = n;
  const codepoints = cps.subarray(0, count);
  const flags = new Uint16Array(count);
  for (let i = 0; i < count; i++) flags[i] = cptFlags(codepoints[i]);

  let offsets = count > 0 ? [count] : [];
  for (const step of p.steps) offsets = step(codepoints, flags, offsets);

  const words: string[] = [];
  let pos = 0;
  for (const len of offsets) {
    words.push(text.slice(at[pos], at[pos + len]));
    pos += len;
  }
  return words;
}
