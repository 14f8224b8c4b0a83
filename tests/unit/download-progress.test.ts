import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressTracker } from '../../workers/lib/download/progress';
import type { DownloadProgress } from '../../workers/lib/download/progress';

describe('download progress reports', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('are throttled, but the last figures always arrive even when the bytes stop', () => {
    let now = 0;
    const seen: DownloadProgress[] = [];
    const t = new ProgressTracker(['m.gguf'], (p) => seen.push(p), () => now);
    t.start([3 << 20], [0]);
    now = 1000;
    t.add(0, 1 << 20);
    t.report(false); // sent
    now = 1050;
    t.add(0, 1 << 20);
    t.report(false); // throttled: within 150 ms of the last one
    expect(seen.at(-1)?.loaded).toBe(1 << 20);
    // The stream now stalls: no more add() calls. The throttled figure still goes out.
    now = 1200;
    vi.advanceTimersByTime(200);
    expect(seen.at(-1)?.loaded).toBe(2 << 20);
  });

  it('a forced report cancels the pending one', () => {
    let now = 0;
    const seen: DownloadProgress[] = [];
    const t = new ProgressTracker(['m.gguf'], (p) => seen.push(p), () => now);
    t.start([2 << 20], [0]);
    now = 10;
    t.add(0, 1 << 20);
    t.report(false);
    t.setPhase('verifying');
    const count = seen.length;
    vi.advanceTimersByTime(1000);
    expect(seen.length).toBe(count);
    expect(seen.at(-1)?.phase).toBe('verifying');
  });

  it('a take-back (a chunk fetched but not stored) is reported at once, so the last figures are what is stored', () => {
    let now = 0;
    const seen: DownloadProgress[] = [];
    const t = new ProgressTracker(['m.gguf'], (p) => seen.push(p), () => now);
    t.start([3 << 20], [1 << 20]);
    now = 1000;
    t.add(0, 1 << 20);
    t.report(false);
    expect(seen.at(-1)?.loaded).toBe(2 << 20);
    now = 1010; // within the throttle window
    t.undo(0, 1 << 20);
    expect(seen.at(-1)?.loaded).toBe(1 << 20);
    const count = seen.length;
    t.undo(0, 0); // nothing to take back: nothing sent
    expect(seen.length).toBe(count);
  });
});
