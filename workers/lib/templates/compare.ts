/**
 * Renders the model card's multi-turn example with the app's template and with the GGUF's own
 * Jinja template, so the UI can show whether they agree (and flag the older "GPT4 User:" form).
 */
import { isOldOpenChat, renderJinja } from './gguf-template';
import { renderPrompt, type TemplateId } from './index';
import type { ChatMessage } from './types';

/** The GGUF's embedded chat template, rendered on a sample conversation and compared with the app's. */
export interface EmbeddedTemplateReport {
  template: string | null;
  app: string;
  gguf: string | null;
  matches: boolean | null;
  /** The embedded template writes the older "GPT4 User:" form, not Starling's "GPT4 Correct User:". */
  oldOpenChat: boolean;
  error: string | null;
}

export const SAMPLE_CONVERSATION: ChatMessage[] = [
  { role: 'user', content: 'Hello' },
  { role: 'assistant', content: 'Hi' },
  { role: 'user', content: 'How are you today?' },
];

export function compareEmbeddedTemplate(
  template: string | null,
  appTemplate: TemplateId,
  tokens: { bos: string; eos: string },
): EmbeddedTemplateReport {
  const app = appTemplate === 'gguf' || appTemplate === 'raw' ? '' : renderPrompt(appTemplate, SAMPLE_CONVERSATION);
  if (!template) return { template: null, app, gguf: null, matches: null, oldOpenChat: false, error: null };
  try {
    const gguf = renderJinja(template, SAMPLE_CONVERSATION, { bosToken: tokens.bos, eosToken: tokens.eos });
    return {
      template,
      app,
      gguf,
      matches: app ? gguf === app : null,
      oldOpenChat: isOldOpenChat(gguf) || /GPT4 User/.test(template),
      error: null,
    };
  } catch (e) {
    return {
      template,
      app,
      gguf: null,
      matches: false,
      oldOpenChat: /GPT4 User/.test(template),
      error: `The embedded template could not be rendered: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
