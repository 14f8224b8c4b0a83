/**
 * StarChat-beta, as its model card writes it:
 *   <|system|>\n{system}<|end|>\n<|user|>\n{query}<|end|>\n<|assistant|>
 * History replies are `<|assistant|>\n{reply}<|end|>\n`; the model ends its turn with <|end|>.
 * The system block is always present (empty when there is no system message), as in the card.
 */
import type { ChatMessage } from './types';

export const STARCHAT_END = '<|end|>';

export function renderStarChat(messages: readonly ChatMessage[]): string {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
  let out = `<|system|>\n${system}${STARCHAT_END}\n`;
  for (const m of messages) {
    if (m.role === 'user') out += `<|user|>\n${m.content}${STARCHAT_END}\n`;
    else if (m.role === 'assistant') out += `<|assistant|>\n${m.content}${STARCHAT_END}\n`;
  }
  return out + '<|assistant|>';
}
