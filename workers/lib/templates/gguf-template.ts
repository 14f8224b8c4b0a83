/**
 * The GGUF's own `tokenizer.chat_template` (Jinja), rendered with @huggingface/jinja for comparison
 * with the app's rendering. Differences are reported, never hidden.
 */
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from './types';

export interface JinjaContext {
  bosToken: string;
  eosToken: string;
}

/** Renders an embedded template with a generation prompt; the leading BOS text is removed (the tokenizer adds BOS). */
export function renderJinja(template: string, messages: readonly ChatMessage[], ctx: JinjaContext): string {
  const out = new Template(template).render({
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    bos_token: ctx.bosToken,
    eos_token: ctx.eosToken,
    add_generation_prompt: true,
  });
  return ctx.bosToken && out.startsWith(ctx.bosToken) ? out.slice(ctx.bosToken.length) : out;
}

/** True when a template writes the older OpenChat form "GPT4 User:" (no "Correct"), not Starling's. */
export const isOldOpenChat = (rendered: string): boolean => /GPT4 (User|Assistant):/.test(rendered);
