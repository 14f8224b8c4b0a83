import type { Vocab } from './vocab';

/**
 * Bigram queue of llama.cpp's llm_tokenizer_spm_session: highest score first, then the leftmost.
 * Bigrams live in parallel arrays; the heap holds their indices.
 */
class BigramQueue {
  score = new Float64Array(256);
  left = new Int32Array(256);
  right = new Int32Array(256);
  size = new Int32Array(256); // UTF-16 length of the merged text (see the staleness check below)
  private heap = new Int32Array(256);
  private count = 0;
  private n = 0; // bigrams stored

  reset(): void {
    this.count = 0;
    this.n = 0;
  }
  get length(): number {
    return this.count;
  }

  private before(a: number, b: number): boolean {
    const sa = this.score[a];
    const sb = this.score[b];
    return sa > sb || (sa === sb && this.left[a] < this.left[b]);
  }

  private grow(): void {
    const cap = this.score.length * 2;
    const f = new Float64Array(cap);
    f.set(this.score);
    this.score = f;
    for (const k of ['left', 'right', 'size', 'heap'] as const) {
      const a = new Int32Array(cap);
      a.set(this[k]);
      this[k] = a;
    }
  }

  /** Stores a bigram and queues it. */
  push(score: number, left: number, right: number, size: number): void {
    if (this.n === this.score.length) this.grow();
    const b = this.n++;
    this.score[b] = score;
    this.left[b] = left;
    this.right[b] = right;
    this.size[b] = size;
    const h = this.heap;
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(b, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = b;
  }

  pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h[--this.count];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.count) break;
      const c = l + 1 < this.count && this.before(h[l + 1], h[l]) ? l + 1 : l;
      if (!this.before(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
    return top;
  }
}

const encoder = new TextEncoder();

function byteToken(vocab: Vocab, byte: number): number {
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  const id = vocab.tokenToId.get(`<0x${hex}>`);
  if (id !== undefined) return id;
  const single = vocab.tokenToId.get(String.fromCharCode(byte));
  if (single === undefined) throw new Error(`vocabulary has no token for byte 0x${hex}`);
  return single;
}

// Symbols, in parallel arrays reused across calls: UTF-16 start and length (0 once merged away).
let start = new Int32Array(256);
let len = new Int32Array(256);
let prev = new Int32Array(256);
let next = new Int32Array(256);
const queue = new BigramQueue();

/**
 * SentencePiece-style tokenization of one raw fragment (spaces already escaped to U+2581), the same
 * greedy bigram merge by score as llama.cpp's llm_tokenizer_spm_session, with byte fallback.
 * Symbols are code points (UTF-8 characters in llama.cpp); a symbol's text is a slice of `text`.
 */
export function spmTokenize(vocab: Vocab, text: string, out: number[]): void {
  if (text.length === 0) return;
  if (start.length < text.length) {
    const cap = text.length * 2;
    start = new Int32Array(cap);
    len = new Int32Array(cap);
    prev = new Int32Array(cap);
    next = new Int32Array(cap);
  }
  let n = 0;
  for (let i = 0; i < text.length; n++) {
    const c = text.charCodeAt(i);
    const w = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1; // input is well-formed
    start[n] = i;
    len[n] = w;
    prev[n] = n - 1;
    next[n] = n + 1;
    i += w;
  }
  next[n - 1] = -1;

  queue.reset();
  const tokenToId = vocab.tokenToId;
  const tryAdd = (left: number, right: number): void => {
    if (left === -1 || right === -1) return;
    const size = len[left] + len[right];
    const merged = text.slice(start[left], start[left] + size);
    const id = tokenToId.get(merged);
    if (id === undefined) return;
    queue.push(vocab.scores[id], left, right, size);
  };
  for (let i = 1; i < n; i++) tryAdd(i - 1, i);

  while (queue.length > 0) {
    const b = queue.pop();
    const l = queue.left[b];
    const r = queue.right[b];
    // Stale when either side merged since: symbols only grow, so the joined length changes.
    if (len[l] === 0 || len[r] === 0 || len[l] + len[r] !== queue.size[b]) continue;
    len[l] += len[r];
    len[r] = 0;
    next[l] = next[r];
    if (next[r] >= 0) prev[next[r]] = l;
    tryAdd(prev[l], l);
    tryAdd(l, next[l]);
  }

  // Merges only ever form tokens, so a final symbol is a token or a single code point; llama.cpp's
  // resegment/rev_merge path for other pieces is unreachable and reduces to the byte fallback.
  for (let i = 0; i !== -1; i = next[i]) {
    const piece = text.slice(start[i], start[i] + len[i]);
    const id = tokenToId.get(piece);
    if (id !== undefined) out.push(id);
    else for (const byte of encoder.encode(piece)) out.push(byteToken(vocab, byte));
  }
}
