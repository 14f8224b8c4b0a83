/**
 * The host side of the widget's postMessage protocol, without the DOM: ids, the queue of calls made
 * before the widget is ready, and matching each answer to its request. mount.ts wires it to a frame;
 * the unit tests drive it with plain objects.
 */
import type { HostMessage, RequestId, WidgetMessage } from '../lib/embed/protocol';
import type { ReadyInfo, Run, RunInput, RunResult, StarlingError, Widget, WidgetEvents } from './starling-embed';

class RequestError extends Error implements StarlingError {
  override readonly name = 'StarlingError';
  readonly kind: string;
  readonly field?: string;
  constructor(kind: string, message: string, field?: string) {
    super(message);
    this.kind = kind;
    if (field !== undefined) this.field = field;
  }
}

const CANCELLED: RunResult = { response: '', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, finish_reason: 'cancelled' };

interface Pending {
  /** A stream piece (runs only). */
  piece?(text: string): void;
  done?(result: RunResult): void;
  tokens?(ids: number[]): void;
  fail(error: StarlingError): void;
}

export type Client = Omit<Widget, 'frame' | 'destroy'> & {
  /** Feeds a message that came from the widget (already checked to be from the frame). */
  receive(message: WidgetMessage): void;
  /** Rejects whatever is pending with kind 'destroyed'; later calls reject at once. */
  close(): void;
};

/** `post` sends a message to the widget; it is called only after the widget's first ready. */
export function createClient(post: (message: HostMessage) => void): Client {
  // A random prefix: two widgets (or two page loads) never share an id, so a stray answer cannot match.
  const prefix = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const nextId = (): string => `${prefix}-${++counter}`;

  let info: ReadyInfo | null = null;
  let closed = false;
  /** Messages sent before the first ready: the frame may not even have loaded yet. */
  let outbox: HostMessage[] | null = [];
  const pending = new Map<RequestId, Pending>();
  const listeners: { [K in keyof WidgetEvents]: Set<(value: WidgetEvents[K]) => void> } = { ready: new Set(), resize: new Set(), error: new Set() };
  const emit = <K extends keyof WidgetEvents>(event: K, value: WidgetEvents[K]): void => {
    for (const listener of listeners[event]) listener(value);
  };

  let resolveReady!: (value: ReadyInfo) => void;
  let rejectReady!: (error: StarlingError) => void;
  const ready = new Promise<ReadyInfo>((resolve, reject) => ((resolveReady = resolve), (rejectReady = reject)));
  ready.catch(() => undefined); // rejected only by close(): not an unhandled rejection if nobody waits

  function send(message: HostMessage): void {
    if (outbox) {
      outbox.push(message);
      return;
    }
    try {
      post(message);
    } catch (e) {
      // postMessage throws DataCloneError for input that cannot be copied (a function, a DOM node).
      const request = pending.get(message.id);
      pending.delete(message.id);
      request?.fail(new RequestError('invalid-message', e instanceof Error ? e.message : String(e)));
    }
  }

  function request(message: HostMessage, handlers: Pending): void {
    if (closed) {
      handlers.fail(new RequestError('destroyed', 'The widget was removed.'));
      return;
    }
    pending.set(message.id, handlers);
    send(message);
  }

  function run(input: RunInput): Run {
    const id = nextId();
    const pieces: string[] = [];
    let settled: { result: RunResult } | { error: StarlingError } | null = null;
    let wake: (() => void)[] = [];
    const settle = (s: NonNullable<typeof settled>): void => {
      settled = s;
      for (const w of wake) w();
      wake = [];
    };

    const result = new Promise<RunResult>((resolve, reject) => {
      request(
        { type: 'starling:run', id, input },
        {
          piece(text) {
            pieces.push(text);
            for (const w of wake) w();
            wake = [];
          },
          done(r) {
            // Without stream the widget sends no pieces: the iterator yields the whole response once.
            if (!input.stream && r.response) pieces.push(r.response);
            settle({ result: r });
            resolve(r);
          },
          fail(error) {
            settle({ error });
            reject(error);
          },
        },
      );
    });
    // A host that only iterates handles the error there; do not also report it as unhandled.
    result.catch(() => undefined);

    async function* iterate(): AsyncGenerator<string, void, undefined> {
      for (let i = 0; ; ) {
        if (i < pieces.length) yield pieces[i++];
        else if (settled && 'error' in settled) throw settled.error;
        else if (settled) return;
        else await new Promise<void>((w) => wake.push(w));
      }
    }

    const cancel = (): void => {
      if (!pending.has(id)) return; // finished already
      const waiting = outbox?.findIndex((m) => m.type === 'starling:run' && m.id === id) ?? -1;
      if (waiting >= 0 && outbox) {
        // Never sent: the widget does not know it, so answer here as the widget would.
        outbox.splice(waiting, 1);
        const r = pending.get(id);
        pending.delete(id);
        r?.done?.(CANCELLED);
      } else send({ type: 'starling:cancel', id });
    };

    return Object.assign(result, { id, cancel, [Symbol.asyncIterator]: iterate });
  }

  const runs = new Map<RequestId, Run>();
  const client: Client = {
    ready,
    get info() {
      return info;
    },
    run(input) {
      const r = run(input);
      runs.set(r.id, r);
      const forget = (): void => void runs.delete(r.id);
      r.then(forget, forget);
      return r;
    },
    cancel() {
      for (const r of runs.values()) r.cancel();
    },
    tokenize(text, options = {}) {
      return new Promise<number[]>((resolve, reject) => {
        const message: HostMessage = { type: 'starling:tokenize', id: nextId(), text, ...(options.raw === undefined ? {} : { raw: options.raw }) };
        request(message, { tokens: resolve, fail: reject });
      });
    },
    on(event, listener) {
      listeners[event].add(listener);
      return () => void listeners[event].delete(listener);
    },
    receive(message) {
      if (closed) return;
      if (message.type === 'starling:ready') {
        const { model, backend, threads, ctx } = message;
        info = { model, backend, threads, ctx };
        if (outbox) {
          const queued = outbox;
          outbox = null;
          for (const m of queued) send(m);
        }
        resolveReady(info);
        emit('ready', info);
        return;
      }
      if (message.type === 'starling:resize') {
        emit('resize', { height: message.height });
        return;
      }
      const request = pending.get(message.id ?? '');
      if (message.type === 'starling:error') {
        const { kind, message: text, field } = message.error;
        const error = new RequestError(kind, text, field);
        if (!request) return emit('error', error);
        pending.delete(message.id ?? '');
        request.fail(error);
      } else if (!request) return;
      else if (message.type === 'starling:token') request.piece?.(message.response);
      else if (message.type === 'starling:done') {
        pending.delete(message.id);
        const { response, usage, finish_reason } = message;
        request.done?.({ response, usage, finish_reason });
      } else if (message.type === 'starling:tokens') {
        pending.delete(message.id);
        request.tokens?.(message.ids);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      outbox = null;
      const error = new RequestError('destroyed', 'The widget was removed.');
      rejectReady(error);
      for (const r of pending.values()) r.fail(error);
      pending.clear();
    },
  };
  return client;
}
