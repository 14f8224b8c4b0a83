import type { Vocab } from './vocab';

interface Sym {
  prev: number;
  next: number;
  start: number; // index into the code-point array
  n: number; // number of code points; 0 once merged away
  bytes: number; // UTF-8 length of the symbol's text
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  size: number; // UTF-8 bytes of the merged text
}

// llama.cpp's llm_bigram_spm comparator: highest score first, then the leftmost.
const before = (a: Bigram, b: Bigram): boolean => a.score > b.score || (a.score === b.score && a.left < b.left);

class BigramHeap {
  private items: Bigram[] = [];
  get size(): number {
    return this.items.length;
  }
  push(b: Bigram): void {
    const a = this.items;
    a.push(b);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Bigram {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

const utf8Len = (cp: number): number => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
const encoder = new TextEncoder();

function byteToken(vocab: Vocab, byte: number): number {
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  const id = vocab.tokenToId.get(`<0x${hex}>`);
  if (id !== undefined) return id;
  const single = vocab.tokenToId.get(String.fromCharCode(byte));
  if (single === undefined) throw new Error(`vocabulary has no token for byte 0x${hex}`);
  return single;
}

/**
 * SentencePiece-style tokenization of one raw fragment (spaces already escaped to U+2581), the same
 * greedy bigram merge by score as llama.cpp's llm_tokenizer_spm_session, with byte fallback.
 */
export function spmTokenize(vocab: Vocab, text: string, out: number[]): void {
  if (text.length === 0) return;
  const cps = Array.from(text);
  const symbols: Sym[] = cps.map((c, i) => ({
    prev: i - 1,
    next: i + 1 === cps.length ? -1 : i + 1,
    start: i,
    n: 1,
    bytes: utf8Len(c.codePointAt(0)!),
  }));
  const textOf = (s: Sym, n = s.n): string => cps.slice(s.start, s.start + n).join('');
  const heap = new BigramHeap();
  const revMerge = new Map<string, [number, number]>();

  const tryAdd = (left: number, right: number): void => {
    if (left === -1 || right === -1) return;
    const merged = textOf(symbols[left], symbols[left].n + symbols[right].n);
    const id = vocab.tokenToId.get(merged);
    if (id === undefined) return;
    heap.push({ left, right, score: vocab.scores[id], size: symbols[left].bytes + symbols[right].bytes });
    revMerge.set(merged, [left, right]);
  };

  for (let i = 1; i < symbols.length; i++) tryAdd(i - 1, i);

  while (heap.size > 0) {
    const bg = heap.pop();
    const l = symbols[bg.left];
    const r = symbols[bg.right];
    if (l.n === 0 || r.n === 0 || l.bytes + r.bytes !== bg.size) continue;
    l.n += r.n;
    l.bytes += r.bytes;
    r.n = 0;
    r.bytes = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = bg.left;
    tryAdd(l.prev, bg.left);
    tryAdd(bg.left, l.next);
  }

  const resegment = (s: Sym): void => {
    const t = textOf(s);
    const id = vocab.tokenToId.get(t);
    if (id !== undefined) {
      out.push(id);
      return;
    }
    const pair = revMerge.get(t);
    if (pair === undefined) {
      for (const b of encoder.encode(t)) out.push(byteToken(vocab, b));
      return;
    }
    resegment(symbols[pair[0]]);
    resegment(symbols[pair[1]]);
  };
  for (let i = 0; i !== -1; i = symbols[i].next) resegment(symbols[i]);
}
