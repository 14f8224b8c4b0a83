/**
 * Watchdogs on the long phases of opening and using a model: the download (from the request to the
 * files), the engine's load, and a generation (the first token, then the gap between tokens). The
 * heartbeat (engine/worker-client.ts) finds a worker that died; a phase can also go silent while its
 * worker still answers pings: wllama's inner worker (the one running llama.cpp) hangs in a load or a
 * prompt, or IndexedDB never answers the download worker. Each watchdog turns such silence into a
 * `stalled` error that says what was running, at which step, and for how long, instead of a spinner.
 *
 * One module owns them: the limits, the messages, and the wrappers the states call
 * (watchDownload and watchLoad in model-loader.ts, watchGeneration in state/chat.svelte.ts).
 */
import { AppError } from '$workers/lib/errors';
import { formatBytes } from '$workers/lib/format';
import type { DownloadProgress } from '$workers/lib/download/progress';

/** What was running: a download stall leaves the engine usable, a load or generation stall does not. */
export type StalledPhase = 'download' | 'load' | 'generation';

/**
 * The error of a watchdog that fired. Its kind (`stalled`, data-kind on the error banner) tells a
 * phase that stopped moving apart from a crash (`worker-crashed`) and from a refusal (`load-failed`,
 * `generation-failed`): llama.cpp said nothing, so there is no reason to show, only where it stopped.
 */
export class StalledError extends AppError {
  constructor(
    readonly phase: StalledPhase,
    message: string,
  ) {
    super('stalled', message);
  }
}

/** A stall of the engine (load or generation): its worker must be shut down, as after a crash. */
export const engineStalled = (e: unknown): boolean => e instanceof StalledError && e.phase !== 'download';

/** Time and timers, injectable for tests. */
export interface WatchdogClock {
  now(): number;
  /** Calls `fn` every `ms`; returns the function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

export const realClock: WatchdogClock = {
  now: () => performance.now(),
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
};

/** How often a watchdog looks. */
export const TICK_MS = 1000;

/**
 * Silence is the sum of the gaps between ticks, each counted up to MAX_CREDIT_TICKS ticks. On time,
 * that is the real time since the last progress event. A background tab's timers are throttled (one
 * tick a minute in Chromium's intensive throttling) and a frozen or sleeping page runs none, while its
 * workers may be just as stopped: a late tick cannot tell silence from a page that was not running,
 * so it counts only as one on-time gap. A hung phase in a hidden tab is then reported later (when the
 * tab is in front again, within the limit), never one that was only throttled.
 */
const MAX_CREDIT_TICKS = 2;

export interface WatchdogOptions {
  phase: StalledPhase;
  /** What runs, as the message's subject: "Loading the model". */
  what: string;
  limitMs: number;
  step: string;
  /** Called once, when the silence reaches the limit (e.g. to stop the work that hung). */
  onStall?: (e: StalledError) => void;
  clock?: WatchdogClock;
  tickMs?: number;
}

export class Watchdog {
  readonly #o: WatchdogOptions;
  readonly #clock: WatchdogClock;
  readonly #tickMs: number;
  #limitMs: number;
  #step: string;
  #silentMs = 0;
  #lastTick: number;
  #paused = false;
  #stopTicks: (() => void) | null;
  #fail!: (e: StalledError) => void;
  /** Rejects with the StalledError when the watchdog fires; never resolves. */
  readonly fired: Promise<never>;

  constructor(o: WatchdogOptions) {
    this.#o = o;
    this.#clock = o.clock ?? realClock;
    this.#tickMs = o.tickMs ?? TICK_MS;
    this.#limitMs = o.limitMs;
    this.#step = o.step;
    this.#lastTick = this.#clock.now();
    this.fired = new Promise<never>((_, reject) => (this.#fail = reject));
    this.fired.catch(() => {}); // read through race(); never an unhandled rejection
    this.#stopTicks = this.#clock.every(this.#tickMs, () => this.#tick());
  }

  get step(): string {
    return this.#step;
  }

  get limitMs(): number {
    return this.#limitMs;
  }

  /** A sign of progress: the silence starts over (optionally at a new step, with a new limit). */
  progress(step?: string, limitMs?: number): void {
    this.#silentMs = 0;
    this.#paused = false;
    if (step !== undefined) this.#step = step;
    if (limitMs !== undefined) this.#limitMs = limitMs;
  }

  /** Waiting on something that may rightly take any time (another tab's download): no silence counts. */
  pause(step: string): void {
    this.#paused = true;
    this.#silentMs = 0;
    this.#step = step;
  }

  stop(): void {
    this.#stopTicks?.();
    this.#stopTicks = null;
  }

  /** `work`'s outcome, or the StalledError as soon as the watchdog fires; the watchdog stops either way. */
  async race<T>(work: Promise<T>): Promise<T> {
    try {
      return await Promise.race([work, this.fired]);
    } finally {
      this.stop();
    }
  }

  #tick(): void {
    const now = this.#clock.now();
    const gap = Math.max(0, now - this.#lastTick);
    this.#lastTick = now;
    if (this.#paused || !this.#stopTicks) return;
    this.#silentMs += Math.min(gap, MAX_CREDIT_TICKS * this.#tickMs);
    if (this.#silentMs < this.#limitMs) return;
    this.stop();
    const e = new StalledError(this.#o.phase, `${this.#o.what} made no progress for ${Math.round(this.#silentMs / 1000)} s (step: ${this.#step}).`);
    this.#o.onStall?.(e);
    this.#fail(e);
  }
}

// ---------- the limits ----------

const GB = 1e9;
const S = 1000;

/**
 * Download: silence between the download worker's events. Each request of its own is stopped after
 * 60 s without a byte (STALL in workers/lib/download/http.ts) and each retry is reported as progress,
 * so the longest silence that is still work is one stalled request, the wait before its retry (at most
 * 8 s) and a resumed download's hashing of the chunks already stored (seconds per GB): three minutes
 * leaves the worker's own, more specific error (the server stopped sending) to come first. Waiting for
 * another tab that downloads the same model does not count (pause).
 */
export const DOWNLOAD_SILENCE_MS = 180 * S;

/**
 * Load: only time without any progress event counts, and the limit grows with the model's size.
 * wllama reports no progress inside llama.cpp's load (its log hook drops llama.cpp's progress dots,
 * which end without a newline), so the longest silent step is reading the weights, proportional to
 * the file: 2.44 GB took 21 s here (2 cores, about 9 s per GB). 60 s per GB is seven times that (a slow
 * disk or CPU, a machine under load), on top of 120 s for the fixed steps (compiling the wasm,
 * allocating the KV cache, WebGPU's shaders): 4 GB may stay silent for 6 minutes before it is a stall.
 * The engine worker reports every step and llama.cpp log line it sees, and each resets the silence.
 */
export function loadLimitMs(modelBytes: number): number {
  return 120 * S + Math.ceil((60 * S * modelBytes) / GB);
}

/**
 * First token: prompt processing is the slow part on a CPU and sends nothing until it ends (3 s per
 * prompt token for a 7B-shaped Q2_K model of 2.44 GB here: 1.3 s per token per GB, and Q2_K is the
 * slowest type per byte). The limit allows 5 s per prompt token per GB (four times that; the prompt's
 * tokens all count, though the KV cache usually holds most), at least 50 ms per token, plus 120 s.
 */
export function firstTokenLimitMs(promptTokens: number, modelBytes: number): number {
  return 120 * S + Math.ceil(promptTokens * Math.max(50, (5 * S * modelBytes) / GB));
}

/**
 * Between tokens: one token's work (the same per-GB cost), a few of them held back while they might
 * start a stop string, plus 120 s.
 */
export function tokenGapLimitMs(modelBytes: number): number {
  return 120 * S + Math.ceil(8 * Math.max(50, (5 * S * modelBytes) / GB));
}

// ---------- the phases ----------

type Clocked = { clock?: WatchdogClock };

/** What a download's progress says it is doing, for the message. */
function downloadStep(p: DownloadProgress): string {
  switch (p.phase) {
    case 'waiting':
      return 'waiting for another tab that downloads this model';
    case 'probing':
      return 'asking the server for the file';
    case 'downloading':
      return `downloading, ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`;
    case 'verifying':
      return 'checking the stored file';
    case 'repairing':
      return `downloading again the parts that differ, ${formatBytes(p.loaded)} of ${formatBytes(p.total)}`;
  }
}

/** What a download tells its watchdog: the worker's progress events, and the page's own steps. */
export interface DownloadWatch {
  progress: (p: DownloadProgress) => void;
  step: (step: string) => void;
}

/**
 * Runs a download (the download worker's `ensure`, or the page's own fetch where there is no cache)
 * under a watchdog: progress events reset it; waiting for another tab pauses it. On a stall `abort`
 * is called (the download is asked to stop; what is stored stays for a resume).
 */
export function watchDownload<T>(run: (watch: DownloadWatch) => Promise<T>, abort: () => void, opts: Clocked & { limitMs?: number } = {}): Promise<T> {
  const dog = new Watchdog({
    phase: 'download',
    what: 'The download',
    limitMs: opts.limitMs ?? DOWNLOAD_SILENCE_MS,
    step: 'looking the model up in the cache',
    onStall: abort,
    clock: opts.clock,
  });
  return dog.race(
    run({
      progress: (p) => (p.phase === 'waiting' ? dog.pause(downloadStep(p)) : dog.progress(downloadStep(p))),
      step: (step) => dog.progress(step),
    }),
  );
}

/**
 * Runs an engine load under a watchdog: each step the engine reports resets it. On a stall the
 * engine must be shut down (engineStalled): wllama's inner worker cannot be told to stop.
 */
export function watchLoad<T>(modelBytes: number, run: (onStep: (step: string) => void) => Promise<T>, opts: Clocked & { limitMs?: number } = {}): Promise<T> {
  const dog = new Watchdog({
    phase: 'load',
    what: 'Loading the model',
    limitMs: opts.limitMs ?? loadLimitMs(modelBytes),
    step: `starting the engine (${formatBytes(modelBytes)} of weights)`,
    clock: opts.clock,
  });
  return dog.race(run((step) => dog.progress(step))).catch((e: unknown) => {
    // A worker that dies mid-load says only that it died: where the load was is what tells a slow step
    // (or a browser's hang in one) from a crash at the start.
    if (e instanceof AppError && e.kind === 'worker-crashed') throw new AppError(e.kind, `${e.message} (loading: ${dog.step})`);
    throw e;
  });
}

/**
 * Runs a generation under a watchdog: the first token has `firstTokenLimitMs`, each later gap
 * `tokenGapLimitMs`. `onToken` must be called for each piece; on a stall `abort` is called.
 */
export function watchGeneration<T>(
  promptTokens: number,
  modelBytes: number,
  run: (onToken: () => void) => Promise<T>,
  abort: () => void,
  opts: Clocked & { firstTokenMs?: number; gapMs?: number } = {},
): Promise<T> {
  const gap = opts.gapMs ?? tokenGapLimitMs(modelBytes);
  let tokens = 0;
  const dog = new Watchdog({
    phase: 'generation',
    what: 'Generating the reply',
    limitMs: opts.firstTokenMs ?? firstTokenLimitMs(promptTokens, modelBytes),
    step: `waiting for the first token, after a prompt of ${promptTokens} tokens`,
    onStall: abort,
    clock: opts.clock,
  });
  return dog.race(
    run(() => {
      tokens++;
      dog.progress(`waiting for the next token after ${tokens}`, gap);
    }),
  );
}
