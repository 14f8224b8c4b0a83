/**
 * Generation settings with the hosted starling-lm-7b-beta API's names, defaults and ranges
 * (max_tokens default 256, temperature 0..5, top_p 0..2, top_k 1..50, penalties 0..2).
 * Temperature defaults to 0 because Starling's model card recommends it against verbose replies.
 */
import type { GenerateParams } from '$workers/lib/engine/types';

export interface Range {
  min: number;
  max: number;
  step: number;
}

export const PARAM_RANGES: Record<Exclude<keyof GenerateParams, 'seed'>, Range> = {
  max_tokens: { min: 1, max: 4096, step: 1 },
  temperature: { min: 0, max: 5, step: 0.05 },
  top_p: { min: 0, max: 2, step: 0.01 },
  top_k: { min: 1, max: 50, step: 1 },
  repetition_penalty: { min: 0, max: 2, step: 0.01 },
  frequency_penalty: { min: 0, max: 2, step: 0.01 },
  presence_penalty: { min: 0, max: 2, step: 0.01 },
};

export const DEFAULT_PARAMS: GenerateParams = {
  max_tokens: 256,
  temperature: 0,
  top_p: 0.95,
  top_k: 40,
  repetition_penalty: 1,
  frequency_penalty: 0,
  presence_penalty: 0,
};

export const clampParam = (key: keyof typeof PARAM_RANGES, value: number): number => {
  const r = PARAM_RANGES[key];
  return Math.min(r.max, Math.max(r.min, Number.isFinite(value) ? value : r.min));
};

/** Context size when `?ctx=` is not given: the hosted API's total budget. */
export const DEFAULT_CTX = 4096;
