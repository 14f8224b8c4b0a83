/**
 * Ports of the hand-written matchers llama.cpp's unicode_regex_split uses instead of std::regex for
 * the GPT-2, Llama 3 and Qwen2 pre-tokenizer patterns (unicode_regex_split_custom_*), quirks
 * included: each works within the pieces earlier steps produced, treating positions outside the
 * current piece as "no character" (which is why a run of spaces at a piece's end stays whole).
 */
import { Flag } from './unicode-flags';

/** Splits the code points [0, cps.length) already cut into `offsets` (lengths); returns new lengths. */
export type Step = (cps: Uint32Array, flags: Uint16Array, offsets: number[]) => number[];

const OUT = -1; // llama.cpp's OUT_OF_RANGE: a position outside the current piece

// Case-insensitive match against an ASCII lowercase letter. llama.cpp's unicode_tolower maps no
// non-ASCII code point to s, t, m, d, r, e, v or l, so folding ASCII is exact here.
const isLower = (c: number, lower: number): boolean => c === lower || c === lower - 32;

/** The hand-written GPT-2 matcher: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
export const gpt2: Step = (cps, fl, offsets) => {
  const out: number[] = [];
  let start = 0;
  for (const len of offsets) {
    const ini = start;
    const end = start + len;
    start = end;
    const cpt = (p: number): number => (p >= ini && p < end ? cps[p] : OUT);
    const flags = (p: number): number => (p >= ini && p < end ? fl[p] : 0);
    let prevEnd = ini;
    const add = (e: number): number => {
      const n = e - prevEnd;
      if (n > 0) out.push(n);
      prevEnd = e;
      return n;
    };
    for (let pos = ini; pos < end; ) {
      const c = cps[pos];
      const f = fl[pos];
      if (c === 0x27 && pos + 1 < end) {
        const n1 = cpt(pos + 1);
        if (n1 === 0x73 || n1 === 0x74 || n1 === 0x6d || n1 === 0x64) {
          pos += add(pos + 2);
          continue;
        }
        if (pos + 2 < end) {
          const n2 = cpt(pos + 2);
          if ((n1 === 0x72 && n2 === 0x65) || (n1 === 0x76 && n2 === 0x65) || (n1 === 0x6c && n2 === 0x6c)) {
            pos += add(pos + 3);
            continue;
          }
        }
      }
      const space = c === 0x20 ? 1 : 0;
      let f2 = space ? flags(pos + 1) : f;
      if (f2 & Flag.Letter) {
        pos += space;
        while (f2 & Flag.Letter) f2 = flags(++pos);
        add(pos);
        continue;
      }
      if (f2 & Flag.Number) {
        pos += space;
        while (f2 & Flag.Number) f2 = flags(++pos);
        add(pos);
        continue;
      }
      if (!(f2 & (Flag.Whitespace | Flag.Letter | Flag.Number)) && f2) {
        pos += space;
        while (!(f2 & (Flag.Whitespace | Flag.Letter | Flag.Number)) && f2) f2 = flags(++pos);
        add(pos);
        continue;
      }
      let ws = 0;
      while (flags(pos + ws) & Flag.Whitespace) ws++;
      if (ws > 1 && cpt(pos + ws) !== OUT) {
        pos += ws - 1; // \s+(?!\S): leave the last space to the word after it
        add(pos);
        continue;
      }
      if (ws > 0) {
        pos += ws;
        add(pos);
        continue;
      }
      add(++pos);
    }
  }
  return out;
};

/**
 * The hand-written Llama 3 matcher, and (digits: 1) the Qwen2 one:
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 */
export const llama3Like =
  (digits: number): Step =>
  (cps, fl, offsets) => {
    const out: number[] = [];
    let start = 0;
    for (const len of offsets) {
      const ini = start;
      const end = start + len;
      start = end;
      const cpt = (p: number): number => (p >= ini && p < end ? cps[p] : OUT);
      const flags = (p: number): number => (p >= ini && p < end ? fl[p] : 0);
      let prevEnd = ini;
      const add = (e: number): number => {
        const n = e - prevEnd;
        if (n > 0) out.push(n);
        prevEnd = e;
        return n;
      };
      for (let pos = ini; pos < end; ) {
        const c = cps[pos];
        const f = fl[pos];
        if (c === 0x27 && pos + 1 < end) {
          const n1 = cpt(pos + 1);
          if (isLower(n1, 0x73) || isLower(n1, 0x74) || isLower(n1, 0x6d) || isLower(n1, 0x64)) {
            pos += add(pos + 2);
            continue;
          }
          if (pos + 2 < end) {
            const n2 = cpt(pos + 2);
            if (
              (isLower(n1, 0x72) && isLower(n2, 0x65)) ||
              (isLower(n1, 0x76) && isLower(n2, 0x65)) ||
              (isLower(n1, 0x6c) && isLower(n2, 0x6c))
            ) {
              pos += add(pos + 3);
              continue;
            }
          }
        }
        if (!(c === 0x0d || c === 0x0a || f & Flag.Number)) {
          if (f & Flag.Letter || flags(pos + 1) & Flag.Letter) {
            pos++;
            while (flags(pos) & Flag.Letter) pos++;
            add(pos);
            continue;
          }
        }
        if (f & Flag.Number) {
          let first = pos;
          while (flags(pos) & Flag.Number) {
            if (++pos - first >= digits) {
              add(pos);
              first = pos;
            }
          }
          add(pos);
          continue;
        }
        let f2 = c === 0x20 ? flags(pos + 1) : f;
        // llama.cpp tests `flags` (not flags2) here; a lone trailing space still ends up alone.
        if (!(f2 & (Flag.Whitespace | Flag.Letter | Flag.Number)) && f) {
          pos += c === 0x20 ? 1 : 0;
          while (!(f2 & (Flag.Whitespace | Flag.Letter | Flag.Number)) && f2) f2 = flags(++pos);
          let c2 = cpt(pos);
          while (c2 === 0x0d || c2 === 0x0a) c2 = cpt(++pos);
          add(pos);
          continue;
        }
        let ws = 0;
        let lastNewline = 0;
        while (flags(pos + ws) & Flag.Whitespace) {
          const c2 = cpt(pos + ws);
          if (c2 === 0x0d || c2 === 0x0a) lastNewline = pos + ws + 1;
          ws++;
        }
        if (lastNewline > 0) {
          pos = lastNewline;
          add(pos);
          continue;
        }
        if (ws > 1 && cpt(pos + ws) !== OUT) {
          pos += ws - 1;
          add(pos);
          continue;
        }
        if (ws > 0) {
          pos += ws;
          add(pos);
          continue;
        }
        add(++pos);
      }
    }
    return out;
  };
