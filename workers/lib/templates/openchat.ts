/**
 * OpenChat 3.5 / Starling-LM-7B-alpha and -beta, exactly as their model card writes it:
 *   GPT4 Correct User: {user}<|end_of_turn|>GPT4 Correct Assistant: {reply}<|end_of_turn|>...GPT4 Correct Assistant:
 * Coding mode swaps the role prefix for "Code User:" / "Code Assistant:". A system message is
 * written as llama.cpp's openchat template does: its text, then <|end_of_turn|>, no role prefix.
 * BOS is not part of the text; the tokenizer adds it.
 */
import { PromptBuilder, type PromptText } from './prompt-text';
import type { ChatMessage } from './types';

export const END_OF_TURN = '<|end_of_turn|>';

export interface OpenChatOptions {
  coding?: boolean;
}

export function renderOpenChat(messages: readonly ChatMessage[], opts: OpenChatOptions = {}): PromptText {
  const prefix = opts.coding ? 'Code' : 'GPT4 Correct';
  const out = new PromptBuilder();
  for (const m of messages) {
    if (m.role !== 'system') out.markup(`${prefix} ${m.role === 'user' ? 'User' : 'Assistant'}: `);
    out.content(m.content).markup(END_OF_TURN);
  }
  return out.markup(`${prefix} Assistant:`).build();
}
