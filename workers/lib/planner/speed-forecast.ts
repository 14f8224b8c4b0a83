/**
 * The speed forecast before download: expected prompt and generation tokens/s of a GGUF file on this
 * device, from the engine's calibration (own/calibrate.ts: bytes/s per weight type) and the file's
 * weight bytes per type. Generation reads every weight once per token; the prompt does the same work
 * per token at the calibrated batch rate. Attention, norms and sampling are left out: on a 7B model
 * they are a few percent of the time (the bench prints forecast against measured).
 */
import type { GgufHeaderInfo } from './header-info';
import { llamaParamCount, type CatalogueShape } from './quant-fit';

/** The ggml types calibrated: every weight type in the catalogue (Q8_0, Q4_0, Q5_0, Q2_K … Q6_K). */
export const CALIBRATED_TYPES = [8, 2, 6, 10, 11, 12, 13, 14] as const;

export interface TypeRates {
  /** Weight bytes per second one token streams through (generation). */
  genBytesPerSec: number;
  /** Weight bytes × batch tokens per second (prompt processing). */
  promptBytesTokensPerSec: number;
}

export interface SpeedCalibration {
  engine: 'own';
  threads: number;
  /** The browser build the figures belong to (its user agent). */
  browser: string;
  /** The engine build that measured them (own/module.ts's `key`): new kernels make old figures stale. */
  build: string;
  /** When it ran (ms since the epoch) and how long it took. */
  at: number;
  ms: number;
  /** By ggml type name (Q8_0, Q4_K, …). */
  types: Record<string, TypeRates>;
}

export interface SpeedForecast {
  promptTps: number;
  genTps: number;
}

/** Tensors of these types are norms and biases: bytes too small to matter, and no matrix kernel. */
const SMALL_TYPES = new Set(['F32']);

/** tok/s for weight bytes by type; null when a type that carries weight was not calibrated. */
export function forecastSpeed(cal: SpeedCalibration, weights: Readonly<Record<string, number>>): SpeedForecast | null {
  let gen = 0;
  let prompt = 0;
  for (const [type, bytes] of Object.entries(weights)) {
    if (bytes <= 0 || SMALL_TYPES.has(type)) continue;
    const r = cal.types[type];
    if (!r) return null;
    gen += bytes / r.genBytesPerSec;
    prompt += bytes / r.promptBytesTokensPerSec;
  }
  return gen > 0 && prompt > 0 ? { genTps: 1 / gen, promptTps: 1 / prompt } : null;
}

/** The main weight type of a quantisation's name: Q4_K_M → Q4_K, Q8_0 → Q8_0 (K-quant mixes: the type most tensors have). */
export function quantWeightType(quant: string): string | null {
  const m = /^(Q\d_K|Q\d_[01])(?:_[SML])?$/i.exec(quant);
  return m ? m[1].toUpperCase() : null;
}

/**
 * A catalogue file's weights before download: its size, all in the type its name gives, less the
 * token embeddings, which are read one row per token rather than streamed (about 2% of a 7B file).
 */
export function catalogueWeights(file: { quant: string; sizeBytes: number }, shape: CatalogueShape): Record<string, number> | null {
  const type = quantWeightType(file.quant);
  if (!type) return null;
  const embedShare = (shape.vocabSize * shape.embeddingLength) / llamaParamCount(shape);
  return { [type]: file.sizeBytes * (1 - embedShare) };
}

/** A model's weights from its header: bytes by type, less the token embeddings (taken from the type with the most bytes) when an output matrix exists. */
export function headerWeights(info: Pick<GgufHeaderInfo, 'tensorTypes' | 'tokenEmbeddingBytes' | 'hasOutputTensor'>): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(Object.entries(info.tensorTypes).map(([t, c]) => [t, c.bytes]));
  const main = Object.entries(out).sort((x, y) => y[1] - x[1])[0];
  if (info.hasOutputTensor && info.tokenEmbeddingBytes && main) out[main[0]] = Math.max(0, main[1] - info.tokenEmbeddingBytes);
  return out;
}

/** Whether a calibration can stand for this device and browser now (same browser build, engine build and thread count). */
export const calibrationFits = (cal: SpeedCalibration | null, browser: string, threads: number, build: string): cal is SpeedCalibration =>
  !!cal && cal.browser === browser && cal.threads === threads && cal.build === build && Object.keys(cal.types).length > 0;
