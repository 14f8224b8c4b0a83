/**
 * The conversation on screen: its message tree (every branch), the branch shown, the running
 * generation, the last prompt sent, and reply stats. Persisting it is the conversations state's job
 * (state/conversations.svelte.ts), told through `onChange`.
 */
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
import { minRenderDelay, StreamBatcher } from './stream-batcher';
import { flushSync } from 'svelte';
import { replyReserve } from '$workers/lib/engine/context-limit';
import { watchGeneration } from '../watchdog';
import { alternatives, latestLeaf, pathTo, subtree } from '../conversations/tree';
import { fitHistory } from '../conversations/context-fit';

export type { GenStats, TokenCheck };

export type MessageState = 'streaming' | 'done' | 'error' | 'stopped';

export interface ChatEntry extends ChatMessage {
  id: string;
  /** The message this one answers or follows (null: the first turn); siblings are alternatives. */
  parentId: string | null;
  createdAt: number;
  state: MessageState;
  error?: string;
  stats?: GenStats;
  tokenCheck?: TokenCheck;
  /** How many earlier messages of its branch the prompt for this reply left out (the context was full). */
  leftOut?: number;
  /** Why the reply ended (not stored: the widget's API reports it). */
  finish?: 'stop' | 'length' | 'cancelled';
  /** The app's count of the reply's prompt tokens (not stored: the widget's API reports it). */
  promptCount?: number;
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
  /** Prompt tokens per llama_decode (for the reply's stats). */
  batch?: number;
  ctx: number;
  /** Bytes of the model's weights: the generation watchdog's limits grow with it. */
  modelBytes?: number;
  jinja?: TemplateOptions['jinja'];
  /** False: the reply shows when it is done, not as it streams. */
  stream?: boolean;
}

/** What a send reports besides the conversation itself (the session relays these to its listeners). */
export interface SendHooks {
  onError: (e: AppError) => void;
  /** The message passed the context check and entered the history (the composer may clear). */
  onAccepted?: (user: ChatEntry | null, reply: ChatEntry) => void;
  /** Each piece of the reply as the engine streams it (before the display batching). */
  onPiece?: (piece: string, reply: ChatEntry) => void;
  /** The reply ended: done, stopped or error (not called when the message was refused). */
  onFinished?: (reply: ChatEntry) => void;
}

/** 'structure': messages or the branch changed (save now); 'stream': a reply grew (save now and then). */
export type ChangeKind = 'structure' | 'stream';

export const newId = (): string => crypto.randomUUID();

/** A message's place in the model's context: every user turn, and replies that finished or were stopped. */
const inContext = (m: ChatEntry): boolean => m.role === 'user' || m.state === 'done' || m.state === 'stopped';

export class ChatState {
  /** Every message of every branch. */
  nodes = $state<ChatEntry[]>([]);
  /** The last message of the branch on screen. */
  leafId = $state<string | null>(null);
  /** The branch on screen, root first: what the model sees (less what the context left out). */
  readonly messages: ChatEntry[] = $derived(pathTo(this.nodes, this.leafId));
  generating = $state(false);
  lastStats = $state.raw<GenStats | null>(null);
  lastPrompt = $state.raw<SentPrompt | null>(null);
  template = $state<TemplateId>('openchat');
  coding = $state(false);
  systemPrompt = $state('');
  /** Told after each change worth saving. */
  onChange: ((kind: ChangeKind) => void) | null = null;

  #abort: AbortController | null = null;
  #reply: ChatEntry | null = null;

  /** The earlier messages the newest reply's prompt left out (0: the model saw the whole branch). */
  get hiddenTurns(): number {
    const last = [...this.messages].reverse().find((m) => m.role === 'assistant' && m.leftOut !== undefined);
    return last?.leftOut ?? 0;
  }

  #system(): ChatMessage[] {
    return this.systemPrompt.trim() ? [{ role: 'system', content: this.systemPrompt.trim() }] : [];
  }

  /** The branch up to and including `id` (all of it for null) as model context. */
  history(upTo: string | null = this.leafId): ChatMessage[] {
    const turns = pathTo(this.nodes, upTo)
      .filter(inContext)
      .map(({ role, content }) => ({ role, content }));
    return [...this.#system(), ...turns];
  }

  /** The prompt with its message-text ranges: special tokens are recognised in the template's markup only. */
  renderPrompt(messages: readonly ChatMessage[], jinja?: TemplateOptions['jinja']): PromptText {
    return renderPromptText(this.template, messages, { coding: this.coding, jinja });
  }

  /** A new message at the end of the branch on screen. */
  send(text: string, params: GenerateParams, rt: Runtime, hooks: SendHooks): Promise<void> {
    return this.#turn(this.leafId, text.trim(), params, rt, hooks);
  }

  /**
   * A message exactly as given (not trimmed): a host page's run through the widget's API, where a
   * raw prompt's spaces and newlines are part of the prompt.
   */
  sendAsIs(text: string, params: GenerateParams, rt: Runtime, hooks: SendHooks): Promise<void> {
    return this.#turn(this.leafId, text, params, rt, hooks);
  }

  /** Whether the branch on screen (in-context messages, without the system prompt) is exactly `turns`. */
  holds(turns: readonly ChatMessage[]): boolean {
    const mine = this.history().filter((m) => m.role !== 'system');
    return mine.length === turns.length && mine.every((m, i) => m.role === turns[i].role && m.content === turns[i].content);
  }

  /** Puts `turns` on screen as a finished exchange (a host page's conversation so far). Only on an empty chat. */
  seed(turns: readonly ChatMessage[]): void {
    if (this.generating || this.nodes.length > 0) return;
    let parentId: string | null = null;
    const now = Date.now();
    turns.forEach((t, i) => {
      const id = newId();
      this.nodes.push({ id, parentId, createdAt: now + i, role: t.role === 'assistant' ? 'assistant' : 'user', content: t.content, state: 'done' });
      parentId = id;
    });
    this.leafId = parentId;
  }

  /** An edited user message: a sibling of the original (which stays as a branch), answered anew. */
  edit(userId: string, text: string, params: GenerateParams, rt: Runtime, hooks: SendHooks): Promise<void> {
    const user = this.nodes.find((m) => m.id === userId && m.role === 'user');
    if (!user) return Promise.resolve();
    return this.#turn(user.parentId, text.trim(), params, rt, hooks);
  }

  /** Another reply to the same message; the earlier ones stay as branches. */
  regenerate(replyId: string, params: GenerateParams, rt: Runtime, hooks: SendHooks): Promise<void> {
    const reply = this.nodes.find((m) => m.id === replyId && m.role === 'assistant');
    if (!reply) return Promise.resolve();
    return this.#turn(reply.parentId, null, params, rt, hooks);
  }

  /**
   * One exchange: `text` (null: none, regenerate) after `parentId`, and the reply. The prompt is the
   * branch up to there; when it outgrows the context the oldest turns are left out (context-fit.ts),
   * and a message that cannot fit even alone is refused before it enters the conversation.
   */
  async #turn(parentId: string | null, text: string | null, params: GenerateParams, rt: Runtime, hooks: SendHooks): Promise<void> {
    const { onError } = hooks;
    if (text === '' || this.generating) return;
    this.generating = true;
    const abort = (this.#abort = new AbortController());
    const turns = pathTo(this.nodes, parentId)
      .filter(inContext)
      .map(({ role, content }) => ({ role, content }));
    if (text !== null) turns.push({ role: 'user', content: text });
    let fit: Awaited<ReturnType<typeof fitHistory>>;
    try {
      fit = await fitHistory(this.#system(), turns, replyReserve(params.max_tokens, rt.ctx), rt.ctx, (messages, limit) => {
        const prompt = this.renderPrompt(messages, rt.jinja);
        // The worker refuses a prompt the context cannot hold (context-full) before sending its tokens back.
        return rt.engine.tokenize(prompt, limit).then((tokenization) => ({ prompt, tokenization }));
      });
    } catch (e) {
      if (this.#abort === abort) {
        this.generating = false;
        this.#abort = null;
      }
      if (!isAbort(e)) onError(e instanceof AppError ? e : new AppError('generation-failed', e instanceof Error ? e.message : String(e)));
      return;
    }
    if (abort.signal.aborted) return; // stopped while tokenizing: nothing was sent
    const { prompt, tokenization, leftOut } = fit;
    const now = Date.now();
    let user: ChatEntry | null = null;
    let replyParent = parentId;
    if (text !== null) {
      this.nodes.push({ id: newId(), parentId, createdAt: now, role: 'user', content: text, state: 'done' });
      user = this.nodes[this.nodes.length - 1];
      replyParent = user.id;
    }
    this.nodes.push({ id: newId(), parentId: replyParent, createdAt: now + 1, role: 'assistant', content: '', state: 'streaming', leftOut, promptCount: tokenization.ids.length });
    const reply = this.nodes[this.nodes.length - 1];
    this.leafId = reply.id;
    this.#reply = reply;
    this.onChange?.('structure');
    hooks.onAccepted?.(user, reply);
    const t0 = performance.now();
    let ttft: number | null = null;
    // Where the engine's threads take every core, each batch costs them speed (stream-batcher.ts).
    const renderWait = minRenderDelay(rt.threads, globalThis.navigator?.hardwareConcurrency || 1, rt.backend);
    const streamed = new StreamBatcher((piece) => {
      if (reply.state !== 'streaming') return; // stopped: nothing more is shown
      // The reply starts after "Assistant:" with a space (or a newline); the template writes it back.
      reply.content = reply.content ? reply.content + piece : piece.trimStart();
      this.onChange?.('stream');
    }, rt.stream !== false, flushSync, renderWait);
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
      reply.finish = reply.state === 'stopped' ? 'cancelled' : result.finishReason;
      reply.stats = statsFrom(result, rt.backend, rt.threads, ttft ?? performance.now() - t0, rt.build, rt.batch);
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
      if (reply.state === 'stopped') reply.finish = 'cancelled';
      if (this.#abort === abort) {
        this.generating = false;
        this.#abort = null;
        this.#reply = null;
      }
      this.onChange?.('structure');
      hooks.onFinished?.(reply);
    }
  }

  /** A message and its alternatives: where it stands (1-based) among how many. */
  branchOf(id: string): { index: number; count: number } {
    const { list, index } = alternatives(this.nodes, id);
    return { index: index + 1, count: list.length };
  }

  /** Shows the previous (-1) or next (+1) alternative of a message, and the newest branch under it. */
  switchBranch(id: string, step: -1 | 1): void {
    if (this.generating) return;
    const { list, index } = alternatives(this.nodes, id);
    const target = list[index + step];
    if (!target) return;
    this.leafId = latestLeaf(this.nodes, target.id);
    this.onChange?.('structure');
  }

  /** Deletes a message and everything after it on every branch; the branch on screen ends before it. */
  deleteMessage(id: string): string[] {
    if (this.generating) return [];
    const gone = subtree(this.nodes, id);
    const self = this.nodes.find((m) => m.id === id);
    if (!self) return [];
    const onScreen = this.messages.some((m) => m.id === id);
    this.nodes = this.nodes.filter((m) => !gone.has(m.id));
    if (onScreen) {
      // Another alternative of the deleted message takes its place when there is one.
      const sibling = this.nodes.filter((m) => m.parentId === self.parentId).pop();
      this.leafId = sibling ? latestLeaf(this.nodes, sibling.id) : self.parentId;
    }
    this.onChange?.('structure');
    return [...gone];
  }

  /** Puts a stored conversation on screen (a reply that was streaming comes back as stopped). */
  load(nodes: ChatEntry[], leafId: string | null, opts: { template: TemplateId; coding: boolean; systemPrompt: string }): void {
    this.nodes = nodes.map((m) => (m.state === 'streaming' ? { ...m, state: 'stopped' } : m));
    this.leafId = leafId;
    this.template = opts.template;
    this.coding = opts.coding;
    this.systemPrompt = opts.systemPrompt;
    const lastReply = [...this.messages].reverse().find((m) => m.role === 'assistant' && m.stats);
    this.lastStats = lastReply?.stats ?? null;
    this.lastPrompt = null;
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
    this.nodes = [];
    this.leafId = null;
    this.lastStats = null;
    this.lastPrompt = null;
  }
}
