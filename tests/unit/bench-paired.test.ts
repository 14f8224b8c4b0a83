import { describe, expect, it } from 'vitest';
import type { Figures } from '../../tools/bench/figures';
import { pairedGen, pooledPairs, type Row } from '../../tools/bench/report';

const fig = (genTps: number): Figures => ({ promptTps: 1, genTps, ttftMs: 1, loadMs: 1, peakBytes: 1, promptTokens: 1, genTokens: 1, besidePct: NaN, outsidePct: NaN });
const row = (app: number[], bareOwn: number[]): Row => ({
  model: 'm', threads: 2, app: null, appWllama: null, appCompat: null, bare: null, bareOwn: null, native: null, longTasks: null,
  runs: { app: app.map(fig), appWllama: [], appCompat: [], bare: [], bareOwn: bareOwn.map(fig), native: [] },
});

describe('own/bown paired by run', () => {
  it('divides each app run by the bare run beside it, not medians by medians', () => {
    // A slow minute hits both runs of a pair: paired, the ratios stay near 1 (median 65/66), where medians of each side would give 90/88.
    const p = pairedGen(row([90, 94, 65], [88, 96, 66]));
    expect(p?.median).toBeCloseTo(65 / 66, 5);
    expect(p?.min).toBeCloseTo(94 / 96, 5);
    expect(p?.max).toBeCloseTo(90 / 88, 5);
  });

  it('pairs only runs both sides have, and gives none without a pair', () => {
    expect(pairedGen(row([100, 50], [100]))).toEqual({ median: 1, min: 1, max: 1 });
    expect(pairedGen(row([100], []))).toBeNull();
  });

  it('pools the pairs of every row, for the figure a single row cannot give', () => {
    const p = pooledPairs([row([90, 100], [100, 100]), row([110, 100, 95], [100, 100, 100])]);
    expect(p).toEqual({ median: 1, q1: 0.95, q3: 1, pairs: 5 });
    expect(pooledPairs([row([], [])])).toBeNull();
  });
});
