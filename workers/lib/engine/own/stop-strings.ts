/**
 * Stop strings over streamed text, as llama-server applies them: the reply ends just before the first
 * stop string, and text that could be the start of one is held back until the next piece decides.
 */
export class StopMatcher {
  #held = '';
  constructor(private readonly stops: readonly string[]) {}

  /** The text that is safe to show now, and whether a stop string ended the reply. */
  push(text: string): { emit: string; stopped: boolean } {
    const buf = this.#held + text;
    let first = -1;
    for (const s of this.stops) {
      if (!s) continue;
      const at = buf.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) {
      this.#held = '';
      return { emit: buf.slice(0, first), stopped: true };
    }
    const keep = this.#partial(buf);
    this.#held = buf.slice(buf.length - keep);
    return { emit: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** What was held back, once the reply has ended for another reason. */
  flush(): string {
    const rest = this.#held;
    this.#held = '';
    return rest;
  }

  /** The longest end of `buf` that begins some stop string. */
  #partial(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, buf.length); n > best; n--) {
        if (buf.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
