/** The conversation: messages, the running generation, the last prompt sent, and reply stats. */
import { AppError, isAbort } from '../../../../workers/lib/errors';
import {
  renderPromptText,
  stopStrings,
  type ChatMessage,
  type PromptText,
  type TemplateId,
  type TemplateOptions,
} from '../../../../workers/lib/templates/index';
import type { Backend, GenerateParams, Tokenization } from '../../../../workers/protocol';
import type { EngineClient } from '../engine/engine-client';
import { checkTokens, statsFrom, type GenStats, type TokenCheck } from '../reply-check';

export type { GenStats, TokenCheck };

export type MessageState = 'streaming' | 'done' | 'error' | 'stopped';

export interface ChatEntry extends ChatMessage {
  id: number;
  state: MessageState;
  error?: string;
  stats?: GenStats;
  tokenCheck?: TokenCheck;
}

export interface SentPrompt {
  text: string;
  template: TemplateId;
  tokenization: Tokenization;
  engineCount: number | null;
  enginePrompt: string | null;
}

export interface Runtime {
  engine: EngineClient;
  backend: Backend;
  threads: number;
  ctx: number;
  jinja?: TemplateOptions['jinja'];
}

let nextId = 1;

/**
 * Collects streamed pieces and applies them at most every STREAM_RENDER_MS: each update re-renders
 * the reply's markdown on the main thread, which on a small machine competes with llama.cpp's
 * threads for the same cores (a fast model sends hundreds of tokens a second).
 */
const STREAM_RENDER_MS = 100;

class StreamBatcher {
  #pending = '';
  #scheduled = false;
  #started = false;
  constructor(private readonly apply: (text: string) => void) {}

  push(piece: string): void {
    this.#pending += piece;
    // The first token shows at once: time to first token is what the user feels most.
    if (!this.#started) {
      this.#started = true;
      this.flush();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.flush(), STREAM_RENDER_MS);
  }

  flush(): void {
    this.#scheduled = false;
    if (!this.#pending) return;
    const text = this.#pending;
    this.#pending = '';
    this.apply(text);
  }
}

export class ChatState {
  messages = $state<ChatEntry[]>([]);
  generating = $state(false);
  lastStats = $state.raw<GenStats | null>(null);
  lastPrompt = $state.raw<SentPrompt | null>(null);
  template = $state<TemplateId>('openchat');
  coding = $state(false);
  systemPrompt = $state('');

  #abort: AbortController | null = null;

  /** Messages that make up the model's context: finished or stopped replies and every user turn. */
  history(): ChatMessage[] {
    const system: ChatMessage[] = this.systemPrompt.trim() ? [{ role: 'system', content: this.systemPrompt.trim() }] : [];
    const turns = this.messages
      .filter((m) => m.role === 'user' || m.state === 'done' || m.state === 'stopped')
      .map(({ role, content }) => ({ role, content }));
    return [...system, ...turns];
  }

  /** The prompt with its message-text ranges: special tokens are recognised in the template's markup only. */
  renderPrompt(messages: readonly ChatMessage[], jinja?: TemplateOptions['jinja']): PromptText {
    return renderPromptText(this.template, messages, { coding: this.coding, jinja });
  }

  async send(text: string, params: GenerateParams, rt: Runtime, onError: (e: AppError) => void): Promise<void> {
    const content = text.trim();
    if (!content || this.generating) return;
    this.messages.push({ id: nextId++, role: 'user', content, state: 'done' });
    const history = this.history();
    this.messages.push({ id: nextId++, role: 'assistant', content: '', state: 'streaming' });
    const reply = this.messages[this.messages.length - 1];
    this.generating = true;
    const abort = (this.#abort = new AbortController());
    const t0 = performance.now();
    let ttft: number | null = null;
    const streamed = new StreamBatcher((text) => {
      // The reply starts after "Assistant:" with a space (or a newline); the template writes it back.
      reply.content = reply.content ? reply.content + text : text.trimStart();
    });
    try {
      const prompt = this.renderPrompt(history, rt.jinja);
      const tokenization = await rt.engine.tokenize(prompt);
      const sent: SentPrompt = { text: tokenization.text, template: this.template, tokenization, engineCount: null, enginePrompt: null };
      this.lastPrompt = sent;
      if (tokenization.ids.length >= rt.ctx) {
        throw new AppError(
          'context-full',
          `This conversation is ${tokenization.ids.length} tokens long, more than the ${rt.ctx}-token context. Start a new chat or raise the context size.`,
        );
      }
      const result = await rt.engine.generate(
        prompt,
        { ...params, max_tokens: Math.min(params.max_tokens, rt.ctx - tokenization.ids.length), stop: stopStrings(this.template, { coding: this.coding }) },
        (piece) => {
          ttft ??= performance.now() - t0;
          streamed.push(piece);
        },
        abort.signal,
      );
      streamed.flush();
      reply.state = result.finishReason === 'cancelled' ? 'stopped' : 'done';
      reply.stats = statsFrom(result, rt.backend, rt.threads, ttft ?? performance.now() - t0);
      if (result.enginePromptTokens !== null) reply.tokenCheck = checkTokens(tokenization, result);
      this.lastStats = reply.stats;
      this.lastPrompt = { ...sent, engineCount: result.enginePromptTokens, enginePrompt: result.enginePrompt };
    } catch (e) {
      streamed.flush();
      if (isAbort(e)) {
        reply.state = 'stopped';
      } else {
        const err = e instanceof AppError ? e : new AppError('generation-failed', e instanceof Error ? e.message : String(e));
        reply.state = 'error';
        reply.error = err.message;
        onError(err);
      }
    } finally {
      streamed.flush();
      this.generating = false;
      this.#abort = null;
    }
  }

  stop(): void {
    this.#abort?.abort();
  }

  clear(): void {
    if (this.generating) return;
    this.messages = [];
    this.lastStats = null;
  }
}
