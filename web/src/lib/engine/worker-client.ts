/**
 * Request/event RPC over a Worker: each request gets an id, and the worker's events for that id
 * come back as an async iterator that ends at a terminal event and throws on an error event.
 * If the worker dies, every open iterator throws a `worker-crashed` AppError.
 */
import { AppError, fromErrorData, type AppErrorData } from '$workers/lib/errors';

type Message = { id: number; type: string };
type ErrorEvent_ = { id: number; type: 'error'; error: AppErrorData };
type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

interface Pending<E> {
  queue: E[];
  wake: (() => void) | null;
  failure: Error | null;
}

/**
 * A worker that dies without an error event (killed, or stuck in a loop) would leave every request
 * waiting forever. The client pings it; any message counts as an answer. It is declared dead when a
 * ping stays unanswered for `timeoutMs`. Only an unanswered ping counts, never the time between
 * ticks, so a background tab's throttled timers cannot fake a death. Until its first message the
 * worker is still starting (its scripts fetched, perhaps through a service worker that is busy
 * precaching, and compiled): then an unanswered ping counts only after `startupTimeoutMs`.
 */
export interface Heartbeat<Req extends Message> {
  ping: DistributiveOmit<Req, 'id'>;
  intervalMs: number;
  timeoutMs: number;
  startupTimeoutMs?: number;
}

/** The default for Heartbeat.startupTimeoutMs; a worker whose script cannot load fails at once (onerror). */
export const WORKER_STARTUP_TIMEOUT_MS = 60_000;

export class WorkerClient<Req extends Message, Ev extends Message> {
  private nextId = 1;
  private pending = new Map<number, Pending<Ev>>();
  private dead: Error | null = null;
  private started = false;
  /** When the oldest unanswered ping was sent (null: every ping is answered). */
  private pingSentAt: number | null = null;
  /** When the heartbeat last ran. */
  private lastBeatAt: number | null = null;
  /** The worker said it blocks until its next message. */
  private busy = false;
  /** Open requests whose caller bounds them with its own watchdog: meanwhile silence is not a hang. */
  private readonly quiet = new Set<number>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly worker: Worker,
    private readonly terminal: ReadonlySet<Ev['type']>,
    private readonly name: string,
    heartbeat?: Heartbeat<Req>,
    /** The message that asks the worker to cancel request `id` (used by `call` when its signal aborts). */
    private readonly cancelOf?: (id: number) => DistributiveOmit<Req, 'id'>,
  ) {
    worker.onmessage = (e: MessageEvent<Ev>) => {
      this.started = true;
      this.pingSentAt = null;
      // 'busy' (protocol.ts): the worker blocks until its next message; that silence is not a hang.
      this.busy = (e.data as { type?: unknown }).type === 'busy';
      if (!this.busy) this.deliver(e.data);
    };
    if (heartbeat) this.timer = setInterval(() => this.beat(heartbeat), heartbeat.intervalMs);
    worker.onerror = (e) => {
      e.preventDefault();
      this.kill(
        this.started
          ? new AppError('worker-crashed', `The ${name} stopped unexpectedly (${e.message || 'unknown error'}).`)
          : workerUnavailable(name, e.message || 'its script could not be started'),
      );
    };
    worker.onmessageerror = () => this.kill(new AppError('worker-crashed', `The ${name} sent an unreadable message.`));
  }

  /** Sends a request; returns its id and the stream of its events. */
  request(body: DistributiveOmit<Req, 'id'>, transfer: Transferable[] = []): { id: number; events: AsyncGenerator<Ev> } {
    const id = this.nextId++;
    const p: Pending<Ev> = { queue: [], wake: null, failure: this.dead };
    this.pending.set(id, p);
    if (!this.dead) this.worker.postMessage({ ...body, id } as Req, transfer);
    return { id, events: this.iterate(id, p) };
  }

  /**
   * Sends a request and follows it to its terminal event, which it returns: `onEvent` sees every
   * event before it, and aborting `signal` asks the worker to cancel it (the request then ends as the
   * worker answers: its terminal event, or an abort error). A `quiet` call (a model load, which the
   * page's load watchdog bounds step by step) pauses the heartbeat until it ends: Firefox ESR's engine
   * worker has gone silent for over 10 s inside loads that then would have finished.
   */
  async call(body: DistributiveOmit<Req, 'id'>, opts: { signal?: AbortSignal; onEvent?: (ev: Ev) => void; quiet?: boolean } = {}): Promise<Ev> {
    const { id, events } = this.request(body);
    if (opts.quiet) this.quiet.add(id);
    const { signal, onEvent } = opts;
    const cancel = (): void => {
      if (this.cancelOf) this.notify(this.cancelOf(id));
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const ev of events) {
        if (this.terminal.has(ev.type)) return ev;
        onEvent?.(ev);
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
      this.quiet.delete(id);
    }
    // iterate() ends only after a terminal event or by throwing: this is never reached.
    throw new AppError('worker-crashed', `The ${this.name} ended a request without an answer.`);
  }

  /** Sends a message that expects no answer (e.g. cancel). */
  notify(body: DistributiveOmit<Req, 'id'>): void {
    if (!this.dead) this.worker.postMessage({ ...body, id: this.nextId++ } as Req);
  }

  terminate(): void {
    this.kill(new AppError('worker-crashed', `The ${this.name} was stopped.`));
    this.worker.terminate();
  }

  private beat(h: Heartbeat<Req>): void {
    if (this.dead || this.busy) return;
    if (this.quiet.size > 0) {
      this.pingSentAt = null; // the wait starts over when the quiet request ends
      return;
    }
    const now = performance.now();
    const limit = this.started ? h.timeoutMs : Math.max(h.timeoutMs, h.startupTimeoutMs ?? WORKER_STARTUP_TIMEOUT_MS);
    // A tick far later than its interval means the page itself did not run (a long task, a starved or
    // throttled tab): the worker's answer may be queued behind this tick, so the wait starts over.
    const pageStalled = this.lastBeatAt !== null && now - this.lastBeatAt > 2 * h.intervalMs;
    this.lastBeatAt = now;
    if (pageStalled && this.pingSentAt !== null) {
      this.pingSentAt = now;
    } else if (this.pingSentAt === null) {
      this.pingSentAt = now;
      this.notify(h.ping);
    } else if (now - this.pingSentAt > limit) {
      const seconds = Math.round((now - this.pingSentAt) / 1000);
      const what = this.started ? 'stopped answering' : 'did not start';
      this.kill(new AppError('worker-crashed', `The ${this.name} ${what} (no sign of life for ${seconds} s), so it was shut down.`));
      this.worker.terminate();
    }
  }

  private async *iterate(id: number, p: Pending<Ev>): AsyncGenerator<Ev> {
    try {
      for (;;) {
        while (p.queue.length > 0) {
          const ev = p.queue.shift()!;
          if (ev.type === 'error') throw fromErrorData((ev as unknown as ErrorEvent_).error);
          yield ev;
          if (this.terminal.has(ev.type)) return;
        }
        if (p.failure) throw p.failure;
        await new Promise<void>((r) => (p.wake = r));
        p.wake = null;
      }
    } finally {
      this.pending.delete(id);
    }
  }

  private deliver(ev: Ev): void {
    const p = this.pending.get(ev.id);
    if (!p) return;
    p.queue.push(ev);
    p.wake?.();
  }

  private kill(err: Error): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.dead = err;
    for (const p of this.pending.values()) {
      p.failure = err;
      p.wake?.();
    }
  }
}

const workerUnavailable = (name: string, why: string): AppError =>
  new AppError(
    'worker-unavailable',
    `This page cannot start its ${name} (${why}). Browsers block workers under a strict ` +
      'Content-Security-Policy (worker-src) or in a sandboxed iframe; the chat needs one to run the model.',
  );

/** Starts a module worker, turning a refusal (strict CSP, sandboxed iframe) into a clear error. */
export function startWorker(factory: () => Worker, name: string): Worker {
  try {
    return factory();
  } catch (e) {
    throw workerUnavailable(name, e instanceof Error ? e.message : String(e));
  }
}
