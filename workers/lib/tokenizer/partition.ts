import { Attr, type Vocab } from './vocab';

/**
 * A piece of the input: raw text still to tokenize, or an already recognised special token. `start`
 * (and `end`) are offsets in the partitioned text, so callers can tell which characters became a token.
 */
export type Fragment = { text: string; start: number } | { token: number; start: number; end: number };

/** Character ranges [start, end) of a text. */
export type Ranges = readonly (readonly [number, number])[];

/** A special token's text found inside a plain range and left as text. */
export interface KeptSpecial {
  id: number;
  start: number;
  end: number;
}

export interface PartitionOptions {
  /** llama.cpp's parse_special: control and unknown tokens count only when it is on. */
  parseSpecial: boolean;
  /**
   * Ranges that are message text, never markup: a control token's text (or an end-of-turn, BOS or EOS
   * token's) that overlaps one stays text; other user-defined tokens still count, as in llama.cpp's
   * tokenization with parse_special off.
   */
  plain?: Ranges;
  /** Receives each guarded token text (control, unknown, end of turn, BOS/EOS) that a plain range kept as text. */
  kept?: KeptSpecial[];
}

const isSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r');

const overlaps = (ranges: Ranges, start: number, end: number): boolean => ranges.some(([a, b]) => start < b && a < end);

/**
 * Splits text around special tokens exactly as llama.cpp's tokenizer_st_partition does: one special
 * token at a time, longest first, each splitting every raw fragment at all of its occurrences.
 * Control and unknown tokens only count when parseSpecial is on (and outside `plain`); user-defined
 * tokens always do.
 */
export function partitionSpecial(vocab: Vocab, text: string, opts: PartitionOptions): Fragment[] {
  if (text.length === 0) return [];
  const plain = opts.plain ?? [];
  let fragments: Fragment[] = [{ text, start: 0 }];
  for (const id of vocab.specialTokens) {
    const attr = vocab.attrs[id];
    const controlLike = (attr & (Attr.Control | Attr.Unknown)) !== 0;
    if (!opts.parseSpecial && controlLike) continue;
    // In message text: control tokens, and any token that ends or starts a turn, even if typed user-defined.
    const guarded = controlLike || vocab.eogIds.has(id) || id === vocab.bosId || id === vocab.eosId;
    const special = vocab.tokens[id];
    if (special.length === 0) continue;
    const next: Fragment[] = [];
    for (const frag of fragments) {
      if (!('text' in frag) || !frag.text.includes(special)) {
        next.push(frag);
        continue;
      }
      // Invariant: rest === text.slice(base, base + rest.length).
      let rest = frag.text;
      let base = frag.start;
      let from = 0;
      for (;;) {
        const at = rest.indexOf(special, from);
        if (at < 0) {
          if (rest.length > 0) next.push({ text: rest, start: base });
          break;
        }
        if (guarded && overlaps(plain, base + at, base + at + special.length)) {
          opts.kept?.push({ id, start: base + at, end: base + at + special.length });
          from = at + 1; // message text: keep it as text and look further
          continue;
        }
        let left = rest.slice(0, at);
        if (attr & Attr.LStrip) left = left.replace(/[ \t\n\v\f\r]+$/, '');
        if (left.length > 0) next.push({ text: left, start: base });
        next.push({ token: id, start: base + at, end: base + at + special.length });
        let skip = at + special.length;
        if (attr & Attr.RStrip) while (skip < rest.length && isSpace(rest[skip])) skip++;
        rest = rest.slice(skip);
        base += skip;
        from = 0;
      }
    }
    fragments = next;
  }
  return fragments;
}
