import { bpeTokenize } from './bpe';
import { decodeByteText } from './byte-encoding';
import { partitionSpecial, type KeptSpecial, type Ranges } from './partition';
import { spmTokenize } from './spm';
import { Attr, type Vocab } from './vocab';

export { buildVocab, type Vocab, type VocabSource } from './vocab';

export interface TokenizeOptions {
  /** Add BOS/EOS as the vocabulary asks (llama.cpp's add_special). */
  addSpecial?: boolean;
  /** Recognise control-token text such as `<|end_of_turn|>` (llama.cpp's parse_special). */
  parseSpecial?: boolean;
  /** Ranges of message text in which control-token text is never recognised (see partition.ts). */
  plain?: Ranges;
  /** Receives the control-token texts that `plain` kept as text. */
  kept?: KeptSpecial[];
  /** Receives the character range of each special token recognised in the text. */
  specialSpans?: [number, number][];
}

/** Tokenizes text as llama.cpp's llama_tokenize does. */
export function tokenize(vocab: Vocab, text: string, opts: TokenizeOptions = {}): number[] {
  const addSpecial = opts.addSpecial ?? true;
  const parseSpecial = opts.parseSpecial ?? true;
  const pre = vocab.preTokenizer;
  if (vocab.model === 'gpt2' && pre === null) throw new Error(`BPE pre-tokenizer "${vocab.pre}" is not supported`);
  // Lone surrogates cannot be sent as UTF-8; the engine would see U+FFFD, so tokenize that.
  const input = text.toWellFormed();
  const fragments = partitionSpecial(vocab, input, { parseSpecial, plain: opts.plain, kept: opts.kept });
  if (opts.specialSpans) for (const f of fragments) if ('token' in f) opts.specialSpans.push([f.start, f.end]);
  const out: number[] = [];
  if (addSpecial && vocab.addBos && vocab.bosId !== null) out.push(vocab.bosId);

  if (pre !== null) {
    for (const frag of fragments) {
      if ('token' in frag) out.push(frag.token);
      else bpeTokenize(vocab, pre, frag.text, out);
    }
  } else {
    let prevSpecial = true; // SPM: a space is prefixed to text at the start and after each special token
    for (const frag of fragments) {
      if ('token' in frag) {
        out.push(frag.token);
        prevSpecial = true;
        continue;
      }
      const raw = vocab.addSpacePrefix && prevSpecial ? ' ' + frag.text : frag.text;
      spmTokenize(vocab, raw.replaceAll(' ', '\u2581'), out);
      prevSpecial = false;
    }
  }

  if (addSpecial && vocab.addEos && vocab.eosId !== null) out.push(vocab.eosId);
  return out;
}

const encoder = new TextEncoder();

/** The bytes a token stands for when decoded (llama.cpp's token_to_piece with special = true). */
export function tokenBytes(vocab: Vocab, id: number): Uint8Array {
  const attr = vocab.attrs[id];
  const text = vocab.tokens[id];
  if (attr & (Attr.Control | Attr.Unknown | Attr.UserDefined)) return encoder.encode(text);
  if (attr & Attr.Normal) return vocab.model === 'gpt2' ? decodeByteText(text) : encoder.encode(text.replaceAll('\u2581', ' '));
  if (attr & Attr.Byte) return new Uint8Array([parseInt(text.slice(3, 5), 16)]);
  return new Uint8Array(0);
}

/** Decodes ids to text the way the engine streams them: control tokens dropped, bytes joined. */
export function detokenize(vocab: Vocab, ids: readonly number[], opts: { special?: boolean } = {}): string {
  const parts: Uint8Array[] = [];
  for (const id of ids) {
    if (!opts.special && vocab.attrs[id] & (Attr.Control | Attr.Unknown)) continue;
    parts.push(tokenBytes(vocab, id));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(all); // keep a leading U+FEFF token's text
}
