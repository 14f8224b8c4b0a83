/**
 * The last prompt's tokenization, kept: each turn tokenizes its prompt for the page, then the engine
 * generates from the same prompt, so the work is done once (both engine hosts use it).
 */
import type { PromptText } from '../templates/index';
import type { Vocab } from './index';
import { tokenizePrompt, type Tokenization } from './prompt';

const samePlain = (a: PromptText['plain'], b: PromptText['plain']): boolean =>
  a.length === b.length && a.every(([s, e], i) => s === b[i][0] && e === b[i][1]);

export class PromptMemo {
  #last: { vocab: Vocab; prompt: PromptText; result: Tokenization } | null = null;

  tokenize(vocab: Vocab, prompt: PromptText): Tokenization {
    const last = this.#last;
    if (last && last.vocab === vocab && last.prompt.text === prompt.text && samePlain(last.prompt.plain, prompt.plain)) return last.result;
    const result = tokenizePrompt(vocab, prompt);
    this.#last = { vocab, prompt, result };
    return result;
  }

  clear(): void {
    this.#last = null;
  }
}
