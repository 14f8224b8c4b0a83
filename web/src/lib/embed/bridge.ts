/**
 * The widget's postMessage API (protocol.ts): the bridge between the host page and the session.
 *
 * Security: a message is acted on only when it comes from the `parent=` origin AND from the window
 * that embeds this frame; anything else (another frame, a popup, a third origin) is dropped without
 * an answer. Answers go to that origin only, never to `*`, so a page that loaded the widget under
 * another site's `parent=` can neither drive it nor read from it.
 *
 * Runs are queued (first in, first out, up to MAX_QUEUE): the widget runs one reply at a time, and a
 * host that sends several gets them answered in order; a person's own message in the visible chat
 * takes its turn in the same way. Cancel stops the running reply, or takes a waiting run out.
 */
import type { AppError } from '$workers/lib/errors';
import type { PromptText } from '$workers/lib/templates/index';
import type { Session } from '../session.svelte';
import { checkRunInput, type CheckedRun } from './run-input';
import { watchContentHeight } from './content-height';
import type { FinishReason, RequestId, WidgetError, WidgetMessage } from './protocol';

/** Waiting runs beyond the one running; one more is refused with `busy`. */
export const MAX_QUEUE = 16;
/** The longest text starling:tokenize takes (a prompt is at most 6144 characters; this leaves room). */
export const MAX_TOKENIZE_CHARS = 65_536;

export interface BridgeOptions {
  /** The host page's origin (`parent=`, checked by embed-params.ts). */
  parent: string;
  /** The window that embeds this frame (window.parent): the only source accepted. */
  host: MessageEventSource & { postMessage(message: unknown, targetOrigin: string): void };
  /** Where messages arrive (this frame's window). */
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  /** The document whose content height is reported (starling:resize); absent: none is. */
  doc?: Document;
}

interface Pending {
  id: RequestId;
  run: CheckedRun;
  response: string;
  ended: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is RequestId => (typeof v === 'string' && v.length > 0 && v.length <= 200) || (typeof v === 'number' && Number.isFinite(v));

export class EmbedBridge {
  readonly #session: Session;
  readonly #opts: BridgeOptions;
  readonly #queue: Pending[] = [];
  #running: Pending | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(session: Session, opts: BridgeOptions) {
    this.#session = session;
    this.#opts = opts;
  }

  /** Starts listening; the returned function stops. */
  start(): () => void {
    this.#opts.target.addEventListener('message', this.#onMessage);
    this.#unsubscribe = this.#session.subscribe((e) => {
      if (e.type === 'ready') {
        this.#post({ type: 'starling:ready', model: this.#session.model.label || 'model', backend: e.info.backend, threads: e.info.threads, ctx: e.info.ctx });
        this.#pump();
      }
      // A person's reply in the visible chat ended: a waiting run may start.
      if (e.type === 'reply') queueMicrotask(() => this.#pump());
    });
    const { doc } = this.#opts;
    const unwatch = doc ? watchContentHeight(doc, (height) => this.#post({ type: 'starling:resize', height })) : () => {};
    return () => {
      this.#opts.target.removeEventListener('message', this.#onMessage);
      this.#unsubscribe?.();
      unwatch();
    };
  }

  #post(message: WidgetMessage): void {
    this.#opts.host.postMessage(message, this.#opts.parent);
  }

  #fail(id: RequestId | null, error: WidgetError): void {
    this.#post({ type: 'starling:error', id, error });
  }

  readonly #onMessage = (e: MessageEvent): void => {
    // Only the embedding window, from the origin the host named: everything else gets no answer.
    if (e.origin !== this.#opts.parent || e.source !== this.#opts.host) return;
    const data: unknown = e.data;
    if (!isRecord(data) || typeof data.type !== 'string' || !data.type.startsWith('starling:')) return; // not ours
    const id = isId(data.id) ? data.id : null;
    if (id === null) return this.#fail(null, { kind: 'invalid-message', message: `${data.type.slice(0, 40)} needs an id: a non-empty string or a number.` });
    switch (data.type) {
      case 'starling:run':
        return this.#enqueue(id, data.input);
      case 'starling:cancel':
        return this.#cancel(id);
      case 'starling:tokenize':
        return void this.#tokenize(id, data.text, data.raw);
      default:
        return this.#fail(id, { kind: 'invalid-message', message: `${data.type.slice(0, 40)} is not a message the widget takes (run, cancel, tokenize).` });
    }
  };

  #inUse(id: RequestId): boolean {
    return this.#running?.id === id || this.#queue.some((p) => p.id === id);
  }

  #enqueue(id: RequestId, input: unknown): void {
    if (this.#inUse(id)) return this.#fail(id, { kind: 'invalid-message', message: `The id ${String(id).slice(0, 40)} is already running or waiting: give each run its own.` });
    const info = this.#session.model.info;
    if (this.#session.model.status !== 'ready' || !info) {
      return this.#fail(id, { kind: 'no-model', message: `No model is ready (the widget is ${this.#session.model.status}): wait for starling:ready.` });
    }
    const checked = checkRunInput(input, info.ctx);
    if (!checked.ok) return this.#fail(id, { kind: 'invalid-input', message: checked.message, field: checked.field });
    if (this.#queue.length >= MAX_QUEUE) return this.#fail(id, { kind: 'busy', message: `${MAX_QUEUE} runs are already waiting: wait for one to finish.` });
    this.#queue.push({ id, run: checked.run, response: '', ended: false });
    this.#pump();
  }

  #cancel(id: RequestId): void {
    if (this.#running?.id === id) {
      this.#session.stop(); // the reply ends as stopped; onFinished reports it as cancelled
      return;
    }
    const at = this.#queue.findIndex((p) => p.id === id);
    if (at < 0) return this.#fail(id, { kind: 'unknown-run', message: `No run ${String(id).slice(0, 40)} is running or waiting.` });
    this.#queue.splice(at, 1);
    this.#done(id, '', 'cancelled', 0, 0);
  }

  #done(id: RequestId, response: string, finish: FinishReason, prompt: number, completion: number): void {
    this.#post({ type: 'starling:done', id, response, usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }, finish_reason: finish });
  }

  /** Starts the next waiting run when nothing runs (neither a host's run nor a person's reply). */
  #pump(): void {
    if (this.#running || this.#session.chat.generating) return;
    const next = this.#queue.shift();
    if (!next) return;
    if (this.#session.model.status !== 'ready') {
      this.#fail(next.id, { kind: 'no-model', message: `No model is ready (the widget is ${this.#session.model.status}).` });
      return this.#pump();
    }
    this.#running = next;
    const end = () => {
      next.ended = true;
      if (this.#running === next) this.#running = null;
      queueMicrotask(() => this.#pump());
    };
    void this.#session
      .hostRun(next.run, {
        onError: (e: AppError) => {
          if (next.ended) return;
          this.#fail(next.id, { kind: e.kind, message: e.message });
          end();
        },
        onPiece: (piece) => {
          // The chat trims the reply's leading space; the API's response is what the chat shows.
          const text = next.response ? piece : piece.trimStart();
          if (!text) return;
          next.response += text;
          if (next.run.stream) this.#post({ type: 'starling:token', id: next.id, response: text });
        },
        onFinished: (reply) => {
          if (next.ended) return;
          if (reply.state === 'error') {
            this.#fail(next.id, { kind: 'generation-failed', message: reply.error ?? 'The reply failed.' });
          } else {
            this.#done(next.id, next.response, reply.finish ?? (reply.state === 'stopped' ? 'cancelled' : 'stop'), reply.promptCount ?? 0, reply.stats?.genTokens ?? 0);
          }
          end();
        },
      })
      .then((started) => {
        if (started || next.ended) return;
        // Not started and no hook said why: the model went away in between, or the run was stopped
        // (cancel, or the person's Stop) while its prompt was being counted, before anything was sent.
        if (this.#session.model.status !== 'ready') this.#fail(next.id, { kind: 'no-model', message: `No model is ready (the widget is ${this.#session.model.status}).` });
        else this.#done(next.id, '', 'cancelled', 0, 0);
        end();
      });
  }

  async #tokenize(id: RequestId, text: unknown, raw: unknown): Promise<void> {
    if (typeof text !== 'string') return this.#fail(id, { kind: 'invalid-input', field: 'text', message: 'text must be a string.' });
    if (text.length > MAX_TOKENIZE_CHARS) return this.#fail(id, { kind: 'invalid-input', field: 'text', message: `text must be at most ${MAX_TOKENIZE_CHARS} characters (got ${text.length}).` });
    if (raw !== undefined && typeof raw !== 'boolean') return this.#fail(id, { kind: 'invalid-input', field: 'raw', message: 'raw must be true or false.' });
    const engine = this.#session.model.engine;
    if (this.#session.model.status !== 'ready' || !engine) return this.#fail(id, { kind: 'no-model', message: 'No model is ready: wait for starling:ready.' });
    // Message text by default (special-token text stays text, as in a chat message); raw parses it.
    const prompt: PromptText = { text, plain: raw === true || text.length === 0 ? [] : [[0, text.length]] };
    try {
      const t = await engine.tokenize(prompt);
      this.#post({ type: 'starling:tokens', id, ids: t.ids });
    } catch (e) {
      const err = e as Partial<AppError>;
      this.#fail(id, { kind: typeof err.kind === 'string' ? err.kind : 'tokenize-failed', message: typeof err.message === 'string' ? err.message : String(e) });
    }
  }
}
