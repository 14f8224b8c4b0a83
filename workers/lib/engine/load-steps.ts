/** A load's steps as the page's load watchdog sees them (engine worker 'progress' events). */
import type { LoadPhase } from './types';

/** How often a load's log lines are passed on as progress (llama.cpp prints hundreds in a burst). */
const LOG_PROGRESS_MS = 500;

/** Reports a load's steps to the page, and its llama.cpp log lines at most every LOG_PROGRESS_MS. */
export class LoadSteps {
  #step = 'starting';
  #lastLine = 0;
  #since = performance.now();
  /** Each finished step and how long it took: where a load's time went (Settings, the bench). */
  readonly timings: LoadPhase[] = [];
  constructor(private readonly report: (step: string) => void) {}

  step(step: string): void {
    this.#close();
    this.#step = step;
    this.report(step);
  }

  /** Ends the last step; returns every step's time. */
  finish(): LoadPhase[] {
    this.#close();
    this.#step = 'done';
    return this.timings;
  }

  #close(): void {
    const now = performance.now();
    if (this.#step !== 'starting' && this.#step !== 'done') this.timings.push({ step: this.#step, ms: Math.round(now - this.#since) });
    this.#since = now;
  }

  line = (line: string): void => {
    const now = performance.now();
    if (now - this.#lastLine < LOG_PROGRESS_MS) return;
    this.#lastLine = now;
    this.report(`${this.#step}; llama.cpp's last line: ${line.trim().slice(0, 160)}`);
  };
}
