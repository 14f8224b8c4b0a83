/**
 * The speed forecast's calibration: how fast the own engine runs each weight type here. One fresh
 * engine instance (no model in it, so the loaded model's memory is untouched) times ggml's matrix
 * product, the work that dominates a llama model, for each type: a single token (generation, bound by
 * reading the weights) and a batch (the prompt, bound by arithmetic). About 100 MB of weights per type
 * for generation, so they stream from memory as a multi-GB model's do. A few seconds in all.
 */
import type { SpeedCalibration, TypeRates } from '../../planner/speed-forecast';
import { CALIBRATED_TYPES } from '../../planner/speed-forecast';
import { GGML_TYPES } from '../../gguf/ggml-types';
import { canThread, startOwnModule, type OwnEngineFiles } from './module';

const DIM = 4096;
/** Weight bytes per generation measurement: beyond any CPU cache. */
const GEN_BYTES = 96e6;
const PROMPT_TOKENS = 128;
const GEN_REPS = 4;
const PROMPT_REPS = 2;

export async function calibrateOwn(files: OwnEngineFiles, threads: number, browser: string): Promise<SpeedCalibration> {
  const n = canThread() ? Math.max(1, threads) : 1;
  const m = await startOwnModule(files, Math.max(1, n - 1), () => {});
  const t0 = performance.now();
  const types: Record<string, TypeRates> = {};
  try {
    for (const id of CALIBRATED_TYPES) {
      const info = GGML_TYPES[id];
      const matBytes = (DIM / info.blockSize) * info.typeSize * DIM;
      const mats = Math.max(1, Math.round(GEN_BYTES / matBytes));
      const gen = m._se_matmul_seconds(id, DIM, DIM, 1, mats, n, GEN_REPS);
      const prompt = m._se_matmul_seconds(id, DIM, DIM, PROMPT_TOKENS, 1, n, PROMPT_REPS);
      // Back to the event loop between types, so the heartbeat's pings are answered.
      await new Promise((r) => setTimeout(r, 0));
      if (gen > 0 && prompt > 0) types[info.name] = { genBytesPerSec: (matBytes * mats) / gen, promptBytesTokensPerSec: (matBytes * PROMPT_TOKENS) / prompt };
    }
  } finally {
    m.PThread?.terminateAllThreads();
  }
  return { engine: 'own', threads: n, browser, build: files.key, at: Date.now(), ms: Math.round(performance.now() - t0), types };
}
