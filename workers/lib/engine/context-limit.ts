/**
 * A message the context cannot hold is refused before it enters the history: kept there, it would
 * make every later turn fail the same way. The engine worker checks it right after tokenizing, so a
 * refused 100,000-character prompt never sends its 25,000 token pieces back to the page.
 */
import { AppError } from '../errors';

function contextFull(tokens: number, ctx: number): AppError {
  return new AppError(
    'context-full',
    `This message was not sent: with the conversation so far it needs ${tokens} tokens, and the context holds ${ctx}. ` +
      'Shorten it, start a new chat, or raise the context size.',
  );
}

/** Throws context-full when a prompt of `tokens` leaves no room in a `ctx`-token context. */
export function refuseOverContext(tokens: number, ctx: number): void {
  if (tokens >= ctx) throw contextFull(tokens, ctx);
}
