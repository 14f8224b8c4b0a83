/**
 * Prompt templates by id, and the one function that renders a conversation into the exact prompt
 * text the engine receives (BOS excluded: the tokenizer adds it).
 */
import { renderJinjaPrompt } from './gguf-template';
import { markupOnly, type PromptText } from './prompt-text';
import { renderOpenChat } from './openchat';
import { renderStarChat } from './starchat';
import type { ChatMessage } from './types';

export type { ChatMessage, Role } from './types';
export type { PromptText } from './prompt-text';

export type TemplateId = 'openchat' | 'starchat' | 'raw' | 'gguf';

export interface TemplateOptions {
  /** OpenChat's coding mode ("Code User:" / "Code Assistant:"). */
  coding?: boolean;
  /** The GGUF's own Jinja template, for 'gguf'. */
  jinja?: { template: string; bosToken: string; eosToken: string };
}

export const TEMPLATE_LABELS: Record<TemplateId, string> = {
  openchat: 'OpenChat 3.5 / Starling (model card)',
  starchat: 'StarChat-beta',
  raw: 'Raw (no template, no history)',
  gguf: 'The GGUF’s own chat template',
};

/**
 * Strings that mean the model has started the next turn. The engine already stops on end-of-generation
 * tokens; these catch a GGUF that does not mark its end-of-turn token as one.
 */
export function stopStrings(id: TemplateId, opts: TemplateOptions = {}): string[] {
  if (id === 'openchat') return opts.coding ? ['Code User:'] : ['GPT4 Correct User:'];
  if (id === 'starchat') return ['<|end|>', '<|user|>'];
  return [];
}

/** The prompt text alone (for display and comparison). */
export const renderPrompt = (id: TemplateId, messages: readonly ChatMessage[], opts: TemplateOptions = {}): string =>
  renderPromptText(id, messages, opts).text;

/**
 * The prompt, with the ranges that are message text: the tokenizer recognises special tokens only
 * outside them. A raw prompt has no template, so its text is all markup (as llama-server's /completion).
 */
export function renderPromptText(id: TemplateId, messages: readonly ChatMessage[], opts: TemplateOptions = {}): PromptText {
  switch (id) {
    case 'openchat':
      return renderOpenChat(messages, { coding: opts.coding });
    case 'starchat':
      return renderStarChat(messages);
    case 'raw': {
      // Like the hosted API's raw: true, the last user message is the whole prompt.
      const last = [...messages].reverse().find((m) => m.role === 'user');
      return markupOnly(last?.content ?? '');
    }
    case 'gguf':
      if (!opts.jinja) throw new Error('This model has no chat template of its own.');
      return renderJinjaPrompt(opts.jinja.template, messages, opts.jinja);
  }
}
