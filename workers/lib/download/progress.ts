/** Download progress: bytes per file and in total, speed over the last seconds, and time left. */
export type DownloadPhase = 'waiting' | 'probing' | 'downloading' | 'verifying' | 'repairing';

export interface DownloadProgress {
  phase: DownloadPhase;
  /** Bytes stored so far (all files), and the total when known (0 while unknown). */
  loaded: number;
  total: number;
  files: { name: string; loaded: number; total: number }[];
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Bytes that were already in the cache when this download (re)started. */
  resumedFrom: number;
}

const WINDOW_MS = 5000;
const EMIT_EVERY_MS = 150;

export class ProgressTracker {
  private samples: { t: number; bytes: number }[] = [];
  private lastEmit = 0;
  private trailing: ReturnType<typeof setTimeout> | null = null;
  private phase: DownloadPhase = 'probing';
  readonly files: { name: string; loaded: number; total: number }[];
  private resumedFrom = 0;

  constructor(
    names: string[],
    private readonly emit: (p: DownloadProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.files = names.map((name) => ({ name, loaded: 0, total: 0 }));
  }

  setPhase(phase: DownloadPhase): void {
    this.phase = phase;
    this.report(true);
  }

  /** Sizes and what is already stored, at the start of a (resumed) download. */
  start(totals: number[], stored: number[]): void {
    totals.forEach((t, i) => (this.files[i].total = t));
    stored.forEach((s, i) => (this.files[i].loaded = s));
    this.resumedFrom = stored.reduce((a, b) => a + b, 0);
    this.samples = [{ t: this.now(), bytes: this.resumedFrom }];
    this.report(true);
  }

  add(file: number, bytes: number): void {
    this.files[file].loaded += bytes;
    if (this.files[file].loaded > this.files[file].total) this.files[file].total = this.files[file].loaded;
    this.report(false);
  }

  /**
   * Takes back bytes counted for a chunk whose fetch or write failed (it will be fetched again). Reported
   * at once: when the download stops right after (a write refused by a full disk), the last figures the
   * page sees are what is stored, not what was fetched.
   */
  undo(file: number, bytes: number): void {
    if (bytes === 0) return;
    this.files[file].loaded -= bytes;
    this.report(true);
  }

  snapshot(): DownloadProgress {
    const loaded = this.files.reduce((n, f) => n + f.loaded, 0);
    const total = this.files.reduce((n, f) => n + f.total, 0);
    const t = this.now();
    this.samples.push({ t, bytes: loaded });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    const bytesPerSecond = dt > 0.2 ? Math.max(0, (loaded - first.bytes) / dt) : 0;
    const etaSeconds = bytesPerSecond > 0 && total > 0 ? Math.max(0, (total - loaded) / bytesPerSecond) : null;
    return {
      phase: this.phase,
      loaded,
      total,
      files: this.files.map((f) => ({ ...f })),
      bytesPerSecond,
      etaSeconds,
      resumedFrom: this.resumedFrom,
    };
  }

  report(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastEmit < EMIT_EVERY_MS) {
      // Throttled: still send the latest figures soon, or a stall right after (a slow server, the
      // next chunk delayed) would leave the UI showing old numbers for as long as it lasts.
      this.trailing ??= setTimeout(() => {
        this.trailing = null;
        this.report(true);
      }, EMIT_EVERY_MS);
      return;
    }
    if (this.trailing !== null) clearTimeout(this.trailing);
    this.trailing = null;
    this.lastEmit = t;
    this.emit(this.snapshot());
  }
}
