import { Attr, type Vocab } from './vocab';

/** A piece of the input: raw text still to tokenize, or an already recognised special token. */
export type Fragment = { text: string } | { token: number };

const isSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r');

/**
 * Splits text around special tokens exactly as llama.cpp's tokenizer_st_partition does: one special
 * token at a time, longest first, each splitting every raw fragment at all of its occurrences.
 * Control and unknown tokens only count when parseSpecial is on; user-defined tokens always do.
 */
export function partitionSpecial(vocab: Vocab, text: string, parseSpecial: boolean): Fragment[] {
  if (text.length === 0) return [];
  let fragments: Fragment[] = [{ text }];
  for (const id of vocab.specialTokens) {
    const attr = vocab.attrs[id];
    if (!parseSpecial && attr & (Attr.Control | Attr.Unknown)) continue;
    const special = vocab.tokens[id];
    if (special.length === 0) continue;
    const next: Fragment[] = [];
    for (const frag of fragments) {
      if (!('text' in frag) || !frag.text.includes(special)) {
        next.push(frag);
        continue;
      }
      let rest = frag.text;
      for (;;) {
        const at = rest.indexOf(special);
        if (at < 0) {
          if (rest.length > 0) next.push({ text: rest });
          break;
        }
        let left = rest.slice(0, at);
        if (attr & Attr.LStrip) left = left.replace(/[ \t\n\v\f\r]+$/, '');
        if (left.length > 0) next.push({ text: left });
        next.push({ token: id });
        rest = rest.slice(at + special.length);
        if (attr & Attr.RStrip) {
          let i = 0;
          while (i < rest.length && isSpace(rest[i])) i++;
          rest = rest.slice(i);
        }
      }
    }
    fragments = next;
  }
  return fragments;
}
