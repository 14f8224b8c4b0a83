/**
 * Byte-level BPE (GPT-2 style) as llama.cpp's llm_tokenizer_bpe_session does it: pre-tokenize, then
 * in each word repeatedly merge the adjacent pair with the lowest merge rank (leftmost first), then
 * map each symbol to its token, or to single-byte tokens when the vocabulary lacks it.
 *
 * Symbols are integer ids of strings (token ids where the string is a token, ids past the vocabulary
 * for merge parts or results that are not), so the merge loop compares and looks up numbers
 * instead of building strings.
 */
import { BYTE_TO_CHAR, byteEncode } from './byte-encoding';
import { preTokenize, type PreTokenizer } from './pretokenize';
import type { Vocab } from './vocab';

/** Open-addressing map from a pair of symbol ids to a merge rank. */
class PairTable {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly rank: Int32Array;
  private readonly mask: number;
  constructor(capacity: number) {
    let size = 1024;
    while (size < capacity * 2) size *= 2;
    this.a = new Int32Array(size).fill(-1);
    this.b = new Int32Array(size);
    this.rank = new Int32Array(size);
    this.mask = size - 1;
  }
  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }
  /** Keeps the first rank given for a pair, as std::unordered_map::emplace does. */
  add(a: number, b: number, rank: number): void {
    for (let i = this.slot(a, b); ; i = (i + 1) & this.mask) {
      if (this.a[i] === -1) {
        this.a[i] = a;
        this.b[i] = b;
        this.rank[i] = rank;
        return;
      }
      if (this.a[i] === a && this.b[i] === b) return;
    }
  }
  get(a: number, b: number): number {
    for (let i = this.slot(a, b); ; i = (i + 1) & this.mask) {
      const k = this.a[i];
      if (k === -1) return -1;
      if (k === a && this.b[i] === b) return this.rank[i];
    }
  }
}

/** A binary min-heap of numbers. */
class NumHeap {
  private items = new Float64Array(64);
  size = 0;
  clear(): void {
    this.size = 0;
  }
  push(v: number): void {
    if (this.size === this.items.length) {
      const bigger = new Float64Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    const a = this.items;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a[--this.size];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const c = l + 1 < this.size && a[l + 1] < a[l] ? l + 1 : l;
      if (a[c] >= last) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = last;
    return top;
  }
}

interface BpeTables {
  /** Symbol id of a string: its token id, or an id past the vocabulary for a string that is no token. */
  symbolOf: (s: string) => number | undefined;
  symText: (id: number) => string;
  pairs: PairTable;
  /** Symbol id of the merged text, by rank. */
  resultOf: Int32Array;
  words: Map<string, readonly number[]>;
}

const tables = new WeakMap<Vocab, BpeTables>();
const encoder = new TextEncoder();
const WORD_CACHE_LIMIT = 50_000;

function bpeTables(vocab: Vocab): BpeTables {
  let t = tables.get(vocab);
  if (t) return t;
  const n = vocab.tokens.length;
  const tokenToId = vocab.tokenToId;
  const extraId = new Map<string, number>();
  const extraText: string[] = [];
  const intern = (s: string): number => {
    const id = tokenToId.get(s) ?? extraId.get(s);
    if (id !== undefined) return id;
    extraId.set(s, n + extraText.length);
    extraText.push(s);
    return n + extraText.length - 1;
  };
  for (const c of BYTE_TO_CHAR) intern(c);
  const merges = vocab.merges;
  const pairs = new PairTable(merges.length);
  const resultOf = new Int32Array(merges.length).fill(-1);
  merges.forEach(([first, second], rank) => {
    // llama.cpp asserts merge parts hold no space; such a pair can never be looked up.
    if (first.length === 0 || second.length === 0) return;
    const a = intern(first);
    const b = intern(second);
    resultOf[rank] = intern(first + second);
    pairs.add(a, b, rank);
  });
  t = {
    symbolOf: (s) => tokenToId.get(s) ?? extraId.get(s),
    symText: (id) => (id < n ? vocab.tokens[id] : extraText[id - n]),
    pairs,
    resultOf,
    words: new Map(),
  };
  tables.set(vocab, t);
  return t;
}

// Per-word scratch space, reused across calls.
let sym = new Int32Array(256);
let next = new Int32Array(256);
let prev = new Int32Array(256);
const heap = new NumHeap();

/** The tokens of one byte-encoded word (llama.cpp's per-word merge loop and symbol lookup). */
function wordTokens(vocab: Vocab, t: BpeTables, word: string, ignoreMerges: boolean): number[] {
  const whole = vocab.tokenToId.get(word);
  if (ignoreMerges && whole !== undefined) return [whole];
  const n = word.length; // byte characters are all in the BMP: one code unit each
  if (sym.length < n) {
    sym = new Int32Array(n * 2);
    next = new Int32Array(n * 2);
    prev = new Int32Array(n * 2);
  }
  for (let i = 0; i < n; i++) {
    sym[i] = t.symbolOf(word[i]) ?? -1;
    prev[i] = i - 1;
    next[i] = i + 1 === n ? -1 : i + 1;
  }
  // A bigram is rank * n + left: the heap pops the lowest rank, then the leftmost pair.
  heap.clear();
  const tryPair = (left: number): void => {
    if (left === -1) return;
    const right = next[left];
    if (right === -1 || sym[left] < 0 || sym[right] < 0) return;
    const rank = t.pairs.get(sym[left], sym[right]);
    if (rank >= 0) heap.push(rank * n + left);
  };
  for (let i = 0; i < n - 1; i++) tryPair(i);
  while (heap.size > 0) {
    const v = heap.pop();
    const rank = Math.floor(v / n);
    const left = v - rank * n;
    const right = next[left];
    // Stale unless the pair at `left` is still the one this rank merges (symbols only ever grow).
    if (sym[left] < 0 || right === -1 || sym[right] < 0 || t.pairs.get(sym[left], sym[right]) !== rank) continue;
    sym[left] = t.resultOf[rank];
    sym[right] = -2; // merged away
    next[left] = next[right];
    if (next[right] !== -1) prev[next[right]] = left;
    tryPair(prev[left]);
    tryPair(left);
  }

  const out: number[] = [];
  const nTokens = vocab.tokens.length;
  for (let i = 0; i !== -1; i = next[i]) {
    if (sym[i] >= 0 && sym[i] < nTokens) {
      out.push(sym[i]); // symbol ids below the vocabulary size are token ids
      continue;
    }
    // Not a token: one token per byte of the symbol's text where a one-byte token exists. Bytes of
    // 0x80 and up are valid UTF-8 on their own in no token text, so llama.cpp drops them.
    const text = sym[i] >= 0 ? t.symText(sym[i]) : word[i];
    for (const b of encoder.encode(text)) {
      const single = b < 0x80 ? vocab.tokenToId.get(String.fromCharCode(b)) : undefined;
      if (single !== undefined) out.push(single);
    }
  }
  return out;
}

/** Tokenizes one raw text fragment (no special tokens in it) and appends the ids to `out`. */
export function bpeTokenize(vocab: Vocab, pre: PreTokenizer, text: string, out: number[]): void {
  if (text.length === 0) return;
  const t = bpeTables(vocab);
  for (const raw of preTokenize(pre, text)) {
    const word = byteEncode(raw);
    let ids = t.words.get(word);
    if (ids === undefined) {
      ids = wordTokens(vocab, t, word, pre.ignoreMerges);
      if (t.words.size >= WORD_CACHE_LIMIT) t.words.clear();
      t.words.set(word, ids);
    }
    for (const id of ids) out.push(id);
  }
}
