/**
 * llama.cpp's llama_detokenize: token pieces joined, the first piece's space prefix removed (SPM),
 * optional BOS/EOS removal, and for most BPE vocabularies clean_up_tokenization_spaces, whose
 * three in-place passes are ported literally (their quirks are what llama-server reports).
 */
import { tokenBytes } from './index';
import { Attr, type Vocab } from './vocab';

export interface DetokenizeOptions {
  /** Drop a leading BOS and trailing EOS the vocabulary adds (remove_special). */
  removeSpecial?: boolean;
  /** Write control and unknown tokens' text (unparse_special); otherwise they are dropped. */
  unparseSpecial?: boolean;
}

const SPACE = 0x20;
const APOS = 0x27;
const ch = (c: string): number => c.charCodeAt(0);

function cleanSpaces(text: Uint8Array, total: number): number {
  // first pass: " ?", " !", " .", " ," lose the space
  const total1 = total;
  total = total ? 1 : 0;
  for (let i = 1; i < total1; i++) {
    const x = text[i];
    if (text[i - 1] === SPACE && (x === ch('?') || x === ch('!') || x === ch('.') || x === ch(','))) total--;
    text[total++] = x;
  }
  // second pass: " ' " becomes "'"
  const total2 = total;
  total = total ? 1 : 0;
  for (let i = 1; i < total2; i++) {
    const x = text[i];
    if (x === APOS && i + 1 < total2 && text[i - 1] === SPACE && text[i + 1] === SPACE) {
      total--;
      text[++i] = 0;
    }
    text[total++] = x;
  }
  // third pass: " 's", " 'm", " 're", " 've" lose the space
  const total3 = total;
  total = total ? 1 : 0;
  for (let i = 1; i < total3; i++) {
    const x = text[i];
    if (text[i - 1] === SPACE && x === APOS && i + 1 < total3) {
      const x1 = text[i + 1];
      if (x1 === ch('s') || x1 === ch('m')) total--;
      else if (i + 2 < total3) {
        const x2 = text[i + 2];
        if ((x1 === ch('r') && x2 === ch('e')) || (x1 === ch('v') && x2 === ch('e'))) total--;
      }
    }
    text[total++] = x;
  }
  return total;
}

/** The bytes of llama_detokenize(ids, remove_special, unparse_special). */
function llamaDetokenizeBytes(vocab: Vocab, ids: readonly number[], opts: DetokenizeOptions = {}): Uint8Array {
  let list = ids;
  let removeSpace = vocab.addSpacePrefix;
  if (opts.removeSpecial && vocab.addBos && list.length > 0 && list[0] === vocab.bosId) {
    removeSpace = false;
    list = list.slice(1);
  }
  if (opts.removeSpecial && vocab.addEos && list.length > 0 && list[list.length - 1] === vocab.eosId) list = list.slice(0, -1);

  const parts: Uint8Array[] = [];
  for (const id of list) {
    let piece = !opts.unparseSpecial && vocab.attrs[id] & (Attr.Control | Attr.Unknown) ? new Uint8Array(0) : tokenBytes(vocab, id);
    if (removeSpace && piece.length > 0 && piece[0] === SPACE) piece = piece.subarray(1);
    removeSpace = false;
    parts.push(piece);
  }
  const text = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    text.set(p, o);
    o += p.length;
  }
  return vocab.cleanSpaces ? text.subarray(0, cleanSpaces(text, text.length)) : text;
}

export function llamaDetokenize(vocab: Vocab, ids: readonly number[], opts: DetokenizeOptions = {}): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(llamaDetokenizeBytes(vocab, ids, opts));
}
