/** The figures every runtime reports, and their medians. */

export interface Figures {
  promptTps: number;
  genTps: number;
  ttftMs: number;
  loadMs: number;
  /** Peak memory in bytes (see README "Benchmarks" for what each runtime's figure covers). */
  peakBytes: number;
  promptTokens: number;
  genTokens: number;
  /** CPU of the browser's threads other than the engine's while generating, % of one core (thread-cpu.ts); NaN where not measured. */
  besidePct: number;
  /** CPU outside the browser in the same time, % of one core (thread-cpu.ts): a disturbed run shows here. */
  outsidePct: number;
}

export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function medianFigures(runs: Figures[]): Figures | null {
  if (!runs.length) return null;
  const keys = Object.keys(runs[0]) as (keyof Figures)[];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])) as unknown as Figures;
}
