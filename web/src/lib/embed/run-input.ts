/**
 * Checks a host page's `starling:run` input against the hosted starling-lm-7b-beta API's input
 * schema (seeds/004): exactly one of `prompt` (1–6144 characters, `raw` optional) and `messages`
 * (each content ≤ 6144 characters), and the sampling fields with the schema's ranges and the app's
 * defaults (settings.ts, the same names and ranges). Nothing is clamped or guessed: the first field
 * that breaks a rule is named with the rule, and the run does not start.
 *
 * Beyond the schema, for a chat model: roles are system, user or assistant, at most one system
 * message and only first, and the last message is the user's (the reply answers it). Unknown
 * fields are refused, so a typo (`max_token`) is not silently ignored.
 */
import type { ChatMessage } from '$workers/lib/templates/index';
import type { GenerateParams } from '$workers/lib/engine/types';
import { DEFAULT_PARAMS } from '../settings';

export const MAX_TEXT = 6144;
export const MAX_SEED = 9_999_999_999;

/** A checked run: what the session needs to start it. */
export interface CheckedRun {
  /** The system prompt (null: the widget's default). */
  system: string | null;
  /** The conversation, oldest first, ending with the user's message. */
  turns: ChatMessage[];
  /** No template: the prompt goes to the model as it is. */
  raw: boolean;
  stream: boolean;
  params: GenerateParams;
}

export type RunCheck = { ok: true; run: CheckedRun } | { ok: false; field: string; message: string };

const KNOWN = new Set(['prompt', 'raw', 'messages', 'stream', 'max_tokens', 'temperature', 'top_p', 'top_k', 'seed', 'repetition_penalty', 'frequency_penalty', 'presence_penalty']);

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
}

const NUMBER_RULES: Record<Exclude<keyof GenerateParams, 'max_tokens' | 'seed'>, NumberRule> = {
  temperature: { min: 0, max: 5 },
  top_p: { min: 0, max: 2 },
  top_k: { min: 1, max: 50, integer: true },
  repetition_penalty: { min: 0, max: 2 },
  frequency_penalty: { min: 0, max: 2 },
  presence_penalty: { min: 0, max: 2 },
};

class Refusal {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function number(input: Record<string, unknown>, field: string, rule: NumberRule): number | undefined {
  const v = input[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Refusal(field, `${field} must be a number (got ${JSON.stringify(v)?.slice(0, 40)}).`);
  if (rule.integer && !Number.isInteger(v)) throw new Refusal(field, `${field} must be a whole number (got ${v}).`);
  if (v < rule.min) throw new Refusal(field, `${field} must be at least ${rule.min} (got ${v}).`);
  if (v > rule.max) throw new Refusal(field, `${field} must be at most ${rule.max} (got ${v}).`);
  return v;
}

function boolean(input: Record<string, unknown>, field: string): boolean | undefined {
  const v = input[field];
  if (v === undefined || typeof v === 'boolean') return v;
  throw new Refusal(field, `${field} must be true or false (got ${JSON.stringify(v)?.slice(0, 40)}).`);
}

function text(v: unknown, field: string, minLength: number): string {
  if (typeof v !== 'string') throw new Refusal(field, `${field} must be a string.`);
  if (v.length < minLength) throw new Refusal(field, `${field} must not be empty.`);
  if (v.length > MAX_TEXT) throw new Refusal(field, `${field} must be at most ${MAX_TEXT} characters (got ${v.length}).`);
  return v;
}

function messages(v: unknown): { system: string | null; turns: ChatMessage[] } {
  if (!Array.isArray(v)) throw new Refusal('messages', 'messages must be an array of {role, content}.');
  if (v.length === 0) throw new Refusal('messages', 'messages must not be empty.');
  let system: string | null = null;
  const turns: ChatMessage[] = [];
  v.forEach((m: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isRecord(m)) throw new Refusal(at, `${at} must be an object {role, content}.`);
    const role = m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new Refusal(`${at}.role`, `${at}.role must be "system", "user" or "assistant" (got ${JSON.stringify(role)?.slice(0, 40)}).`);
    }
    const content = text(m.content, `${at}.content`, 0);
    if (role === 'system') {
      if (i !== 0) throw new Refusal(`${at}.role`, `${at}: a system message may only come first.`);
      system = content;
    } else {
      turns.push({ role, content });
    }
  });
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'user') throw new Refusal('messages', 'messages must end with a user message (the reply answers it).');
  if (last.content.trim() === '') throw new Refusal(`messages[${v.length - 1}].content`, `messages[${v.length - 1}].content must not be empty.`);
  return { system, turns };
}

/**
 * Checks `input` (untrusted: from another window). `maxContext`, the loaded model's context,
 * is max_tokens' ceiling: a reply cannot be longer than the context that holds it.
 */
export function checkRunInput(input: unknown, maxContext: number): RunCheck {
  try {
    if (!isRecord(input)) throw new Refusal('input', 'input must be an object with prompt or messages.');
    const unknown = Object.keys(input).find((k) => !KNOWN.has(k));
    if (unknown !== undefined) throw new Refusal(unknown, `${unknown.slice(0, 40)} is not a field of the input (see the README's message reference).`);
    const hasPrompt = input.prompt !== undefined;
    const hasMessages = input.messages !== undefined;
    if (hasPrompt && hasMessages) throw new Refusal('input', 'input takes prompt or messages, not both.');
    if (!hasPrompt && !hasMessages) throw new Refusal('input', 'input needs prompt or messages.');
    const raw = boolean(input, 'raw') ?? false;
    if (raw && hasMessages) throw new Refusal('raw', 'raw goes with prompt only, not with messages.');
    const stream = boolean(input, 'stream') ?? false;

    const { system, turns } = hasPrompt ? { system: null, turns: [{ role: 'user' as const, content: text(input.prompt, 'prompt', 1) }] } : messages(input.messages);

    const params: GenerateParams = { ...DEFAULT_PARAMS };
    const maxTokens = number(input, 'max_tokens', { min: 1, max: maxContext, integer: true });
    if (maxTokens !== undefined) params.max_tokens = maxTokens;
    for (const [field, rule] of Object.entries(NUMBER_RULES) as [keyof typeof NUMBER_RULES, NumberRule][]) {
      const v = number(input, field, rule);
      if (v !== undefined) params[field] = v;
    }
    const seed = number(input, 'seed', { min: 1, max: MAX_SEED, integer: true });
    // llama.cpp's seed is 32 bits: the schema's larger seeds wrap (each still gives one fixed sequence).
    if (seed !== undefined) params.seed = seed >>> 0;
    return { ok: true, run: { system, turns, raw, stream, params } };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, field: e.field, message: e.message };
    throw e;
  }
}
