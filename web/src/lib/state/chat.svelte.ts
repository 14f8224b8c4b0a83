/** The conversation: messages, the running generation, and the stats of the last reply. */
import { AppError, isAbort } from '../../../../workers/lib/errors';
import { renderOpenChat } from '../../../../workers/lib/templates/openchat';
import type { ChatMessage } from '../../../../workers/lib/templates/types';
import type { Backend, GenerateParams, GenerationResult } from '../../../../workers/protocol';
import type { EngineClient } from '../engine/engine-client';

export type MessageState = 'streaming' | 'done' | 'error' | 'stopped';

export interface GenStats {
  promptTps: number;
  genTps: number;
  ttftMs: number;
  backend: Backend;
  threads: number;
  promptTokens: number;
  cachedTokens: number;
  genTokens: number;
}

export interface ChatEntry extends ChatMessage {
  id: number;
  state: MessageState;
  error?: string;
  stats?: GenStats;
}

let nextId = 1;

export function statsFrom(result: GenerationResult, backend: Backend, threads: number, ttftMs: number): GenStats {
  const t = result.timings;
  return {
    promptTps: t?.promptPerSecond ?? 0,
    genTps: t?.predictedPerSecond ?? 0,
    ttftMs,
    backend,
    threads,
    promptTokens: t?.promptTokens ?? 0,
    cachedTokens: t?.cachedTokens ?? 0,
    genTokens: t?.predictedTokens ?? 0,
  };
}

export class ChatState {
  messages = $state<ChatEntry[]>([]);
  generating = $state(false);
  lastStats = $state.raw<GenStats | null>(null);
  coding = $state(false);
  systemPrompt = $state('');

  #abort: AbortController | null = null;

  /** The prompt text the model will see for the current history (no BOS; the tokenizer adds it). */
  renderPrompt(history: readonly ChatMessage[]): string {
    const msgs: ChatMessage[] = this.systemPrompt.trim() ? [{ role: 'system', content: this.systemPrompt.trim() }] : [];
    return renderOpenChat([...msgs, ...history], { coding: this.coding });
  }

  async send(
    text: string,
    engine: EngineClient,
    params: GenerateParams,
    runtime: { backend: Backend; threads: number },
    onError: (e: AppError) => void,
  ): Promise<void> {
    const content = text.trim();
    if (!content || this.generating) return;
    const history: ChatMessage[] = this.messages
      .filter((m) => m.state === 'done' || m.state === 'stopped' || m.role === 'user')
      .map(({ role, content }) => ({ role, content }));
    this.messages.push({ id: nextId++, role: 'user', content, state: 'done' });
    history.push({ role: 'user', content });
    this.messages.push({ id: nextId++, role: 'assistant', content: '', state: 'streaming' });
    const reply = this.messages[this.messages.length - 1];
    this.generating = true;
    const abort = (this.#abort = new AbortController());
    const t0 = performance.now();
    let ttft: number | null = null;
    try {
      const result = await engine.generate(
        this.renderPrompt(history),
        params,
        (piece) => {
          ttft ??= performance.now() - t0;
          // The model's reply starts after "Assistant:" with a space; the template adds that space back.
          reply.content = reply.content ? reply.content + piece : piece.trimStart();
        },
        abort.signal,
      );
      reply.state = result.finishReason === 'cancelled' ? 'stopped' : 'done';
      reply.stats = statsFrom(result, runtime.backend, runtime.threads, ttft ?? performance.now() - t0);
      this.lastStats = reply.stats;
    } catch (e) {
      if (isAbort(e)) {
        reply.state = 'stopped';
      } else {
        const err = e instanceof AppError ? e : new AppError('generation-failed', e instanceof Error ? e.message : String(e));
        reply.state = 'error';
        reply.error = err.message;
        onError(err);
      }
    } finally {
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
