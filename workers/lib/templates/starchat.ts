/**
 * StarChat-beta, as its model card writes it:
 *   <|system|>\n{system}<|end|>\n<|user|>\n{query}<|end|>\n<|assistant|>
 * History replies are `<|assistant|>\n{reply}<|end|>\n`; the model ends its turn with <|end|>.
 * The system block is always present (empty when there is no system message), as in the card.
 */
import { PromptBuilder, type PromptText } from './prompt-text';
import type { ChatMessage } from './types';

const STARCHAT_END = '<|end|>';

export function renderStarChat(messages: readonly ChatMessage[]): PromptText {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
  const out = new PromptBuilder().markup('<|system|>\n').content(system).markup(`${STARCHAT_END}\n`);
  for (const m of messages) {
    if (m.role === 'system') continue;
    out.markup(m.role === 'user' ? '<|user|>\n' : '<|assistant|>\n').content(m.content).markup(`${STARCHAT_END}\n`);
  }
  return out.markup('<|assistant|>').build();
}
