/** A load's steps as the page's load watchdog sees them (engine worker 'progress' events). */

/** How often a load's log lines are passed on as progress (llama.cpp prints hundreds in a burst). */
const LOG_PROGRESS_MS = 500;

/** Reports a load's steps to the page, and its llama.cpp log lines at most every LOG_PROGRESS_MS. */
export class LoadSteps {
  #step = 'starting';
  #lastLine = 0;
  constructor(private readonly report: (step: string) => void) {}

  step(step: string): void {
    this.#step = step;
    this.report(step);
  }

  line = (line: string): void => {
    const now = performance.now();
    if (now - this.#lastLine < LOG_PROGRESS_MS) return;
    this.#lastLine = now;
    this.report(`${this.#step}; llama.cpp's last line: ${line.trim().slice(0, 160)}`);
  };
}
