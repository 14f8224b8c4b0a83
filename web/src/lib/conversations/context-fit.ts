/**
 * Fits a conversation into the context: when the whole branch does not fit (with room for the
 * reply), the oldest turns are left out, whole exchanges at a time, keeping the system prompt and
 * the newest turns. Tokenizing is the engine worker's (it has the model's tokenizer), so this only
 * chooses which turns to try; a binary search keeps the worker round trips to a few.
 */
import type { ChatMessage, PromptText } from '$workers/lib/templates/index';
import type { Tokenization } from '$workers/lib/tokenizer/prompt';
import type { ContextFit } from '$workers/lib/engine/context-limit';
import { AppError } from '$workers/lib/errors';

export interface Fitted {
  prompt: PromptText;
  tokenization: Tokenization;
  /** How many of `turns` (from the oldest) the prompt leaves out. */
  leftOut: number;
}

/** Tokenizes `messages` as a prompt; rejects with context-full when it does not fit `fit`. */
export type TryPrompt = (messages: ChatMessage[], fit: ContextFit) => Promise<{ prompt: PromptText; tokenization: Tokenization }>;

const tooLong = (e: unknown): boolean => e instanceof AppError && e.kind === 'context-full';

export async function fitHistory(system: ChatMessage[], turns: ChatMessage[], reserve: number, ctx: number, tryPrompt: TryPrompt): Promise<Fitted> {
  const fit: ContextFit = { ctx, reserve };
  // Where a prompt may start: the first turn, or any later user turn (a prompt never opens on a reply).
  const starts = turns.map((m, i) => (i === 0 || m.role === 'user' ? i : -1)).filter((i) => i >= 0);
  const attempt = async (k: number): Promise<Fitted | null> => {
    try {
      return { ...(await tryPrompt([...system, ...turns.slice(starts[k])], fit)), leftOut: starts[k] };
    } catch (e) {
      if (tooLong(e) && k < starts.length - 1) return null;
      throw e; // the newest message alone does not fit, or another failure: the caller reports it
    }
  };
  const whole = await attempt(0);
  if (whole) return whole;
  // The smallest start that fits: fewer turns never need more tokens.
  let lo = 1;
  let hi = starts.length - 1;
  let best: Fitted | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const got = await attempt(mid);
    if (got) {
      best = got;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return best ?? (await attempt(starts.length - 1))!;
}
