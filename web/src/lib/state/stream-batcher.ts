/**
 * Collects a streaming reply's pieces and shows them in batches. Each batch re-renders the reply on
 * the main thread (its Markdown, then the browser's layout, text shaping and paint), and on a small
 * machine that competes with llama.cpp's threads for the same cores: on 2 cores with 2 engine
 * threads, the page's work while generating (4 renders a second of a 500-token reply) took about 5%
 * of a core and cost the app about 5% of the engine's speed on a bare page (tools/bench/thread-cpu.ts).
 *
 * So the wait before the next batch grows with what the last one cost: the page spends at most about
 * RENDER_SHARE of the time on it. A short reply, or plain text, renders in a millisecond or two and
 * streams every STREAM_RENDER_MS; a long one of costly text (many scripts, so many fonts) as rarely as
 * every STREAM_RENDER_MAX_MS.
 */
import type { Backend } from '$workers/lib/engine/backend';

/** The shortest wait between batches. */
export const STREAM_RENDER_MS = 100;
/**
 * The shortest wait when llama.cpp's threads take every core. Then each batch (its render, and the
 * frame the compositor, the GPU process and the browser make of it) runs on a core an engine thread
 * needs, and at ggml's barriers the other threads wait too. Measured on 2 cores, 2 threads, 512-token
 * replies of the 134M models, before this wait: the page beside the engine took about 5% of a core
 * against 2% on the bare page, and the app ran at 0.94-0.97 of its speed; at 1 thread, with a core to
 * spare, 1.00-1.01. With it, about 0.5% of a core less.
 */
export const STREAM_RENDER_CONTENDED_MS = 500;
/** The longest: the reply still visibly moves. */
export const STREAM_RENDER_MAX_MS = 1000;
/**
 * The share of the time the page's own render may take: its frame costs the other processes about
 * as much again (the bench's thread CPU, tools/bench/thread-cpu.ts).
 */
export const RENDER_SHARE = 0.01;

/**
 * The shortest wait for an engine on `threads` threads on a device with `cores` cores. On WebGPU the
 * GPU does the work and llama.cpp's CPU threads mostly wait for it, so they leave the page its cores.
 */
export const minRenderDelay = (threads: number, cores: number, backend: Backend): number =>
  backend === 'cpu' && threads >= cores ? STREAM_RENDER_CONTENDED_MS : STREAM_RENDER_MS;

/** The wait before the next batch, after one that took `costMs` to apply and render. */
export const nextRenderDelay = (costMs: number, minMs = STREAM_RENDER_MS): number =>
  Math.min(STREAM_RENDER_MAX_MS, Math.max(minMs, costMs / RENDER_SHARE));

export class StreamBatcher {
  #pending = '';
  #scheduled = false;
  #started = false;
  #delay: number;

  /**
   * `apply` shows the text; `render` then makes the page's update happen now (Svelte's flushSync), so
   * that its cost can be timed.
   */
  constructor(
    private readonly apply: (text: string) => void,
    private readonly live: boolean,
    private readonly render: () => void = () => {},
    /** The shortest wait between batches (minRenderDelay). */
    private readonly minDelay = STREAM_RENDER_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#delay = minDelay;
  }

  push(piece: string): void {
    this.#pending += piece;
    if (!this.live) return; // streaming off: everything shows at the end
    // The first token shows at once: time to first token is what the user feels most.
    if (!this.#started) {
      this.#started = true;
      this.flush();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.flush(), this.#delay);
  }

  /** Shows what is pending now (each batch, and once at the end). */
  flush(): void {
    this.#scheduled = false;
    if (!this.#pending) return;
    const text = this.#pending;
    this.#pending = '';
    const t0 = this.now();
    this.apply(text);
    try {
      this.render();
    } catch (e) {
      // A component that fails to render must not end the reply: its text is in the state, and shows
      // with the next render that works.
      console.error(e);
    }
    this.#delay = nextRenderDelay(this.now() - t0, this.minDelay);
  }

  /** The wait before the next batch (for tests). */
  get delay(): number {
    return this.#delay;
  }
}
