/** A run of prompt text: plain, a special token the template wrote, or special-token text a message held (kept as text). */
export interface Run {
  text: string;
  kind: 'text' | 'special' | 'kept';
}

/** Splits prompt text at the spans the tokenizer reported (spans are sorted and do not overlap). */
export function splitRuns(text: string, special: readonly (readonly [number, number])[], kept: readonly { start: number; end: number }[]): Run[] {
  const spans = [
    ...special.map(([start, end]) => ({ start, end, kind: 'special' as const })),
    ...kept.map(({ start, end }) => ({ start, end, kind: 'kept' as const })),
  ].sort((a, b) => a.start - b.start);
  const runs: Run[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    if (s.start > at) runs.push({ text: text.slice(at, s.start), kind: 'text' });
    runs.push({ text: text.slice(s.start, s.end), kind: s.kind });
    at = s.end;
  }
  if (at < text.length) runs.push({ text: text.slice(at), kind: 'text' });
  return runs;
}

/** Shows whitespace and control characters in a token piece so every token is visible. */
export const showPiece = (piece: string): string =>
  piece.replace(/\n/g, '↵').replace(/\r/g, '␍').replace(/\t/g, '⇥').replace(/ /g, '·') || '∅';
