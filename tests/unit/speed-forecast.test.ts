import { describe, expect, it } from 'vitest';
import { calibrationFits, catalogueWeights, forecastSpeed, headerWeights, quantWeightType, type SpeedCalibration } from '../../workers/lib/planner/speed-forecast';
import { STARLING_7B_ALPHA } from '../../workers/lib/catalog';

const cal: SpeedCalibration = {
  engine: 'own',
  threads: 2,
  browser: 'UA 1',
  build: 'engine-a',
  at: 0,
  ms: 10,
  types: {
    Q8_0: { genBytesPerSec: 8e9, promptBytesTokensPerSec: 80e9 },
    Q3_K: { genBytesPerSec: 2e9, promptBytesTokensPerSec: 20e9 },
  },
};

describe('speed forecast', () => {
  it('adds the time of each type: generation reads every weight byte once per token', () => {
    // 4 GB of Q8_0 at 8 GB/s (0.5 s) + 1 GB of Q3_K at 2 GB/s (0.5 s): 1 tok/s; prompt ten times faster.
    const f = forecastSpeed(cal, { Q8_0: 4e9, Q3_K: 1e9, F32: 1e6 });
    expect(f!.genTps).toBeCloseTo(1, 6);
    expect(f!.promptTps).toBeCloseTo(10, 6);
  });
  it('gives no forecast for a weight type it has no figures for', () => {
    expect(forecastSpeed(cal, { Q8_0: 1e9, Q5_K: 1e9 })).toBeNull();
    expect(forecastSpeed(cal, { F32: 1e6 })).toBeNull();
  });
  it("reads a quantisation's main type from its name", () => {
    expect(['Q4_K_M', 'Q3_K_S', 'Q8_0', 'Q5_0', 'q2_k', 'IQ4_XS', 'F16'].map(quantWeightType)).toEqual(['Q4_K', 'Q3_K', 'Q8_0', 'Q5_0', 'Q2_K', null, null]);
  });
  it('leaves the token embeddings out of a catalogue file: read one row per token', () => {
    const file = STARLING_7B_ALPHA.files.find((f) => f.quant === 'Q8_0')!;
    const w = catalogueWeights(file, STARLING_7B_ALPHA.shape)!;
    // 32002 x 4096 of Mistral-7B's 7.24e9 parameters: 1.8%.
    expect(w.Q8_0 / file.sizeBytes).toBeCloseTo(1 - (32002 * 4096) / 7.2418e9, 3);
  });
  it("takes a header's embeddings from its main type, and keeps them where they double as the output", () => {
    const tensorTypes = { Q3_K: { count: 10, bytes: 3e9 }, F32: { count: 5, bytes: 1e6 } };
    expect(headerWeights({ tensorTypes, tokenEmbeddingBytes: 5e7, hasOutputTensor: true })).toEqual({ Q3_K: 3e9 - 5e7, F32: 1e6 });
    expect(headerWeights({ tensorTypes, tokenEmbeddingBytes: 5e7, hasOutputTensor: false })).toEqual({ Q3_K: 3e9, F32: 1e6 });
  });
  it('uses a calibration only for the browser build, engine build and thread count it was made with', () => {
    expect(calibrationFits(cal, 'UA 1', 2, 'engine-a')).toBe(true);
    expect(calibrationFits(cal, 'UA 2', 2, 'engine-a')).toBe(false);
    expect(calibrationFits(cal, 'UA 1', 1, 'engine-a')).toBe(false);
    expect(calibrationFits(cal, 'UA 1', 2, 'engine-b')).toBe(false);
    expect(calibrationFits(null, 'UA 1', 2, 'engine-a')).toBe(false);
  });
});
