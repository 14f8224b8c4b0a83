/**
 * A message the context cannot hold is refused before it enters the history: kept there, it would
 * make every later turn fail the same way. The engine worker checks it right after tokenizing, so a
 * refused 100,000-character prompt never sends its 25,000 token pieces back to the page.
 */
import { AppError } from '../errors';

/** The room a prompt must leave for the reply: the reply's length, up to a quarter of the context. */
export const replyReserve = (maxTokens: number, ctx: number): number => Math.max(1, Math.min(maxTokens, Math.floor(ctx / 4)));

/** The prompt's bound: at most `ctx - reserve` tokens. */
export interface ContextFit {
  ctx: number;
  reserve: number;
}

function contextFull(tokens: number, { ctx, reserve }: ContextFit): AppError {
  return new AppError(
    'context-full',
    `This message was not sent: it needs ${tokens} tokens, and the context holds ${ctx}` +
      (reserve > 1 ? `, of which ${reserve} stay free for the reply` : '') +
      '. Earlier turns are left out when the conversation grows, but this message does not fit even alone. ' +
      'Shorten it, or raise the context size in Settings.',
  );
}

/** Throws context-full when a prompt of `tokens` leaves less than `reserve` (at least 1) of a `ctx`-token context. */
export function refuseOverContext(tokens: number, fit: ContextFit): void {
  if (tokens + Math.max(1, fit.reserve) > fit.ctx) throw contextFull(tokens, fit);
}
