/** The conversation: messages, the running generation, the last prompt sent, and reply stats. */
import { AppError, isAbort } from '$workers/lib/errors';
import {
  renderPromptText,
  stopStrings,
  type ChatMessage,
  type PromptText,
  type TemplateId,
  type TemplateOptions,
} from '$workers/lib/templates/index';
import type { Backend } from '$workers/lib/engine/backend';
import type { GenerateParams } from '$workers/lib/engine/types';
import type { Tokenization } from '$workers/lib/tokenizer/prompt';
import type { EngineApi } from '../engine/engine-client';
import type { WasmBuild } from '$workers/lib/engine/wasm-build';
import { checkTokens, statsFrom, type GenStats, type TokenCheck } from '../reply-check';
import { refuseOverContext } from '$workers/lib/engine/context-limit';
import { watchGeneration } from '../watchdog';

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
  engine: EngineApi;
  backend: Backend;
  /** The llama.cpp wasm build (for the reply's stats). */
  build?: WasmBuild;
  threads: number;
  ctx: number;
  /** Bytes of the model's weights: the generation watchdog's limits grow with it. */
  modelBytes?: number;
  jinja?: TemplateOptions['jinja'];
}

/** What a send reports besides the conversation itself (the session relays these to its listeners). */
export interface SendHooks {
  onError: (e: AppError) => void;
  /** The message passed the context check and entered the history (the composer may clear). */
  onAccepted?: (user: ChatEntry, reply: ChatEntry) => void;
  /** Each piece of the reply as the engine streams it (before the display batching). */
  onPiece?: (piece: string, reply: ChatEntry) => void;
  /** The reply ended: done, stopped or error (not called when the message was refused). */
  onFinished?: (reply: ChatEntry) => void;
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
  #reply: ChatEntry | null = null;

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

  async send(text: string, params: GenerateParams, rt: Runtime, hooks: SendHooks): Promise<void> {
    const { onError } = hooks;
    const content = text.trim();
    if (!content || this.generating) return;
    this.generating = true;
    const abort = (this.#abort = new AbortController());
    // The message enters the history only once the context can hold it (see refuseOverContext).
    const history = [...this.history(), { role: 'user' as const, content }];
    let prompt: PromptText;
    let tokenization: Tokenization;
    try {
      prompt = this.renderPrompt(history, rt.jinja);
      // The worker refuses a prompt the context cannot hold (context-full) before sending its tokens back.
      tokenization = await rt.engine.tokenize(prompt, rt.ctx);
      refuseOverContext(tokenization.ids.length, rt.ctx);
    } catch (e) {
      if (this.#abort === abort) {
        this.generating = false;
        this.#abort = null;
      }
      if (!isAbort(e)) onError(e instanceof AppError ? e : new AppError('generation-failed', e instanceof Error ? e.message : String(e)));
      return;
    }
    if (abort.signal.aborted) return; // stopped while tokenizing: nothing was sent
    this.messages.push({ id: nextId++, role: 'user', content, state: 'done' });
    this.messages.push({ id: nextId++, role: 'assistant', content: '', state: 'streaming' });
    const user = this.messages[this.messages.length - 2];
    const reply = this.messages[this.messages.length - 1];
    this.#reply = reply;
    hooks.onAccepted?.(user, reply);
    const t0 = performance.now();
    let ttft: number | null = null;
    const streamed = new StreamBatcher((text) => {
      if (reply.state !== 'streaming') return; // stopped: nothing more is shown
      // The reply starts after "Assistant:" with a space (or a newline); the template writes it back.
      reply.content = reply.content ? reply.content + text : text.trimStart();
    });
    try {
      const sent: SentPrompt = { text: tokenization.text, template: this.template, tokenization, engineCount: null, enginePrompt: null };
      this.lastPrompt = sent;
      // A first token (or a next one) that never comes ends the reply with a `stalled` error, even
      // when the engine no longer answers the cancel (watchdog.ts); the session then restarts the engine.
      const result = await watchGeneration(
        tokenization.ids.length,
        rt.modelBytes ?? 0,
        (onToken) =>
          rt.engine.generate(
            prompt,
            { ...params, max_tokens: Math.min(params.max_tokens, rt.ctx - tokenization.ids.length), stop: stopStrings(this.template, { coding: this.coding }) },
            (piece) => {
              onToken();
              ttft ??= performance.now() - t0;
              if (reply.state !== 'streaming') return; // stopped: a late piece is dropped
              streamed.push(piece);
              hooks.onPiece?.(piece, reply);
            },
            abort.signal,
          ),
        () => abort.abort(),
      );
      streamed.flush();
      if (reply.state === 'streaming') reply.state = result.finishReason === 'cancelled' ? 'stopped' : 'done';
      reply.stats = statsFrom(result, rt.backend, rt.threads, ttft ?? performance.now() - t0, rt.build);
      if (result.enginePromptTokens !== null) reply.tokenCheck = checkTokens(tokenization, result);
      this.lastStats = reply.stats;
      this.lastPrompt = { ...sent, engineCount: result.enginePromptTokens, enginePrompt: result.enginePrompt };
    } catch (e) {
      streamed.flush();
      const err = isAbort(e) ? null : e instanceof AppError ? e : new AppError('generation-failed', e instanceof Error ? e.message : String(e));
      if (!err || reply.state !== 'streaming') {
        if (reply.state === 'streaming') reply.state = 'stopped';
      } else if (err.kind === 'worker-crashed') {
        reply.state = 'stopped'; // the engine died: what arrived is kept, as after Stop
      } else {
        reply.state = 'error';
        reply.error = err.message;
      }
      if (err) onError(err);
    } finally {
      streamed.flush();
      if (this.#abort === abort) {
        this.generating = false;
        this.#abort = null;
        this.#reply = null;
      }
      hooks.onFinished?.(reply);
    }
  }

  /**
   * Stop always ends the generation at once, even when the engine no longer answers: the reply is
   * kept as stopped and Send comes back; the cancel still goes to the engine, and any late piece is
   * dropped.
   */
  stop(): void {
    this.#abort?.abort();
    if (this.#reply?.state === 'streaming') this.#reply.state = 'stopped';
    this.#abort = null;
    this.#reply = null;
    this.generating = false;
  }

  clear(): void {
    if (this.generating) return;
    this.messages = [];
    this.lastStats = null;
  }
}
