/**
 * llama.cpp's code point classification (unicode_cpt_flags_from_cpt), from its own tables rather
 * than the JavaScript engine's \p{...} classes, whose Unicode version may differ.
 */
import { RANGES, WHITESPACE } from './unicode-flags-data';

export const Flag = {
  Undefined: 0x0001,
  Number: 0x0002,
  Letter: 0x0004,
  Separator: 0x0008,
  AccentMark: 0x0010,
  Punctuation: 0x0020,
  Symbol: 0x0040,
  Control: 0x0080,
  Categories: 0x00ff,
  Whitespace: 0x0100,
} as const;

const MAX_CODEPOINTS = 0x110000;
const BMP = 0x10000;

let bmp: Uint16Array | undefined;
let astralStarts: Uint32Array | undefined;
let astralFlags: Uint16Array | undefined;

function build(): void {
  const entries = RANGES.split(',').map((e) => e.split('.').map((p) => parseInt(p, 36)));
  const starts: number[] = [];
  const flags: number[] = [];
  let at = 0;
  for (const [f, gap] of entries) {
    at += gap;
    starts.push(at);
    flags.push(f);
  }
  starts.push(MAX_CODEPOINTS);
  const table = new Uint16Array(BMP);
  const aStarts: number[] = [];
  const aFlags: number[] = [];
  for (let i = 0; i < flags.length; i++) {
    const lo = starts[i];
    const hi = starts[i + 1];
    if (lo < BMP) table.fill(flags[i], lo, Math.min(hi, BMP));
    if (hi > BMP) {
      aStarts.push(Math.max(lo, BMP));
      aFlags.push(flags[i]);
    }
  }
  const ws = new Set(WHITESPACE);
  for (const cp of ws) table[cp] |= Flag.Whitespace; // all of llama.cpp's whitespace is in the BMP
  bmp = table;
  astralStarts = Uint32Array.from(aStarts);
  astralFlags = Uint16Array.from(aFlags);
}

/** The flags of a code point; 0 stands for "outside the text" in the split functions, as in llama.cpp. */
export function cptFlags(cp: number): number {
  if (bmp === undefined) build();
  if (cp < BMP) return bmp![cp];
  if (cp >= MAX_CODEPOINTS) return Flag.Undefined;
  const starts = astralStarts!;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= cp) lo = mid;
    else hi = mid - 1;
  }
  return astralFlags![lo];
}
