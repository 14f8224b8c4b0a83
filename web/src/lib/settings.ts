/**
 * Generation settings with the hosted starling-lm-7b-beta API's names, defaults and ranges
 * (max_tokens default 256, temperature 0..5, top_p 0..2, top_k 1..50, penalties 0..2).
 * Temperature defaults to 0 because Starling's model card recommends it against verbose replies.
 *
 * A value outside its range is refused with a reason, never clamped: the Settings panel shows the
 * reason and keeps the last valid value in effect (a clamped value would be one the user never saw).
 */
import type { GenerateParams } from '$workers/lib/engine/types';

export interface Range {
  min: number;
  max: number;
  step: number;
  /** Whole numbers only (max_tokens, top_k). */
  integer?: boolean;
}

export type ParamKey = Exclude<keyof GenerateParams, 'seed'>;

export const PARAM_RANGES: Record<ParamKey, Range> = {
  max_tokens: { min: 1, max: 4096, step: 1, integer: true },
  temperature: { min: 0, max: 5, step: 0.05 },
  top_p: { min: 0, max: 2, step: 0.01 },
  top_k: { min: 1, max: 50, step: 1, integer: true },
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

/** Context size when neither `?ctx=` nor the Settings panel gives one: the hosted API's total budget. */
export const DEFAULT_CTX = 4096;
/** The smallest context the Settings panel accepts (llama.cpp pads to 256 cells anyway). */
export const MIN_CTX = 256;

/** A typed-in value: accepted (the number to use) or refused (why, in a sentence for the user). */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** A number typed as text: empty, not a number and non-finite values are refused. */
function parseNumber(raw: string): Checked<number> {
  const text = raw.trim();
  if (text === '') return refuse('Enter a number.');
  const n = Number(text);
  return Number.isFinite(n) ? { ok: true, value: n } : refuse(`“${text}” is not a number.`);
}

/**
 * Checks one sampling field as typed. `maxContext` (the loaded model's context) lowers max_tokens'
 * ceiling: a reply cannot be longer than the context that holds it.
 */
export function checkParam(key: ParamKey, raw: string, maxContext?: number): Checked<number> {
  const parsed = parseNumber(raw);
  if (!parsed.ok) return parsed;
  const r = PARAM_RANGES[key];
  const n = parsed.value;
  const max = key === 'max_tokens' && maxContext !== undefined ? Math.min(r.max, maxContext) : r.max;
  if (r.integer && !Number.isInteger(n)) return refuse('Must be a whole number.');
  if (n < r.min) return refuse(`Must be at least ${r.min}.`);
  if (n > max) {
    return refuse(key === 'max_tokens' && max < r.max ? `Must be at most ${max}, the model’s context.` : `Must be at most ${max}.`);
  }
  return { ok: true, value: n };
}

/** The seed: empty means random (undefined); otherwise a whole number ≥ 0. */
export function checkSeed(raw: string): Checked<number | undefined> {
  if (raw.trim() === '') return { ok: true, value: undefined };
  const parsed = parseNumber(raw);
  if (!parsed.ok) return parsed;
  if (!Number.isInteger(parsed.value)) return refuse('Must be a whole number, or empty for a random seed.');
  if (parsed.value < 0) return refuse('Must be 0 or more, or empty for a random seed.');
  if (!Number.isSafeInteger(parsed.value)) return refuse('Too large.');
  return { ok: true, value: parsed.value };
}

/** What bounds the context: the model's trained context and the largest one the memory planner fits. */
export interface ContextBounds {
  /** null when the model does not say. */
  trained: number | null;
  /** The memory planner's largest fitting context; null when unknown. */
  fits: number | null;
}

/** The context size: empty means the default; otherwise a whole number within the model's bounds. */
export function checkContext(raw: string, bounds: ContextBounds): Checked<number | undefined> {
  if (raw.trim() === '') return { ok: true, value: undefined };
  const parsed = parseNumber(raw);
  if (!parsed.ok) return parsed;
  const n = parsed.value;
  if (!Number.isInteger(n)) return refuse('Must be a whole number of tokens.');
  if (n < MIN_CTX) return refuse(`Must be at least ${MIN_CTX} tokens.`);
  if (bounds.trained !== null && n > bounds.trained) return refuse(`Must be at most ${bounds.trained}, the context this model was trained with.`);
  if (bounds.fits !== null && n > bounds.fits) return refuse(`Must be at most ${bounds.fits}: a larger context does not fit this browser’s memory.`);
  return { ok: true, value: n };
}

/** A saved value read back: kept only when it would pass the check (old saves may hold anything). */
export const validSaved = (key: ParamKey, v: unknown): v is number => typeof v === 'number' && checkParam(key, String(v)).ok;
