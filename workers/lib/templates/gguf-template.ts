/**
 * The GGUF's own `tokenizer.chat_template` (Jinja), rendered with @huggingface/jinja for comparison
 * with the app's rendering. Differences are reported, never hidden.
 */
import { Template } from '@huggingface/jinja';
import { PromptBuilder, type PromptText } from './prompt-text';
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

const sentinel = (i: number): string => `\uE000${i}\uE001`;

/**
 * renderJinja, remembering where each message's text landed: the template is rendered once with a
 * private-use placeholder per message, whose positions become the plain ranges. A template that
 * transforms the text itself (a filter) gets a slower search for each message's text instead.
 */
export function renderJinjaPrompt(template: string, messages: readonly ChatMessage[], ctx: JinjaContext): PromptText {
  const real = renderJinja(template, messages, ctx);
  const marked = renderJinja(template, messages.map((m, i) => ({ role: m.role, content: sentinel(i) })), ctx);
  const out = new PromptBuilder();
  let rest = marked;
  for (const [i, m] of messages.entries()) {
    const at = rest.indexOf(sentinel(i));
    if (at < 0) continue; // a template may drop a message (e.g. a system prompt it does not support)
    out.markup(rest.slice(0, at)).content(m.content);
    rest = rest.slice(at + sentinel(i).length);
  }
  const built = out.markup(rest).build();
  if (built.text === real) return built;
  const plain: [number, number][] = [];
  let from = 0;
  for (const m of messages) {
    const at = m.content ? real.indexOf(m.content, from) : -1;
    if (at < 0) continue;
    plain.push([at, at + m.content.length]);
    from = at + m.content.length;
  }
  return { text: real, plain };
}
