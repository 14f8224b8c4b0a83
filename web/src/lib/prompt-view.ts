/** Splits prompt text into plain runs and special-token runs, for highlighting. */
export interface Run {
  text: string;
  special: boolean;
}

export function splitSpecial(text: string, specials: readonly string[]): Run[] {
  const present = specials.filter((s) => s.length > 0 && text.includes(s)).sort((a, b) => b.length - a.length);
  if (present.length === 0) return text ? [{ text, special: false }] : [];
  const runs: Run[] = [];
  let plain = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const s of present) {
      if (text.startsWith(s, i)) {
        if (plain) runs.push({ text: plain, special: false });
        plain = '';
        runs.push({ text: s, special: true });
        i += s.length;
        continue outer;
      }
    }
    plain += text[i++];
  }
  if (plain) runs.push({ text: plain, special: false });
  return runs;
}

/** Shows whitespace and control characters in a token piece so every token is visible. */
export const showPiece = (piece: string): string =>
  piece.replace(/\n/g, '↵').replace(/\r/g, '␍').replace(/\t/g, '⇥').replace(/ /g, '·') || '∅';
