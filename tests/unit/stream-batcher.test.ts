/**
 * The streaming reply's batches (state/stream-batcher.ts): the first piece shows at once, later ones
 * wait, and the wait grows with what the last batch cost to render, within its bounds.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { minRenderDelay, nextRenderDelay, RENDER_SHARE, STREAM_RENDER_CONTENDED_MS, STREAM_RENDER_MAX_MS, STREAM_RENDER_MS, StreamBatcher } from '../../web/src/lib/state/stream-batcher';

describe('nextRenderDelay', () => {
  it('keeps a cheap render at the shortest wait, a costly one at the longest, and the share in between', () => {
    expect(nextRenderDelay(0)).toBe(STREAM_RENDER_MS);
    expect(nextRenderDelay(1)).toBe(STREAM_RENDER_MS);
    expect(nextRenderDelay(6)).toBeCloseTo(6 / RENDER_SHARE);
    expect(6 / (6 + nextRenderDelay(6))).toBeLessThanOrEqual(RENDER_SHARE);
    expect(nextRenderDelay(500)).toBe(STREAM_RENDER_MAX_MS);
  });
});

describe('StreamBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A batcher whose render takes `cost` ms of a fake clock; what it applied, in order. */
  const make = (cost: number, live = true) => {
    let clock = 0;
    const shown: string[] = [];
    const b = new StreamBatcher(
      (t) => shown.push(t),
      live,
      () => (clock += cost),
      STREAM_RENDER_MS,
      () => clock,
    );
    return { b, shown };
  };

  it('shows the first piece at once and the next ones together after the wait', () => {
    const { b, shown } = make(0);
    b.push('Hello');
    expect(shown).toEqual(['Hello']);
    b.push(',');
    b.push(' world');
    expect(shown).toEqual(['Hello']);
    vi.advanceTimersByTime(STREAM_RENDER_MS - 1);
    expect(shown).toEqual(['Hello']);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(['Hello', ', world']);
  });

  it('waits longer after a costly render, and flush shows the rest at once', () => {
    const { b, shown } = make(10);
    b.push('a');
    expect(b.delay).toBe(nextRenderDelay(10));
    b.push('b');
    vi.advanceTimersByTime(STREAM_RENDER_MS);
    expect(shown).toEqual(['a']); // 500 ms, not 100
    vi.advanceTimersByTime(nextRenderDelay(10) - STREAM_RENDER_MS);
    expect(shown).toEqual(['a', 'b']);
    b.push('c');
    b.flush();
    expect(shown).toEqual(['a', 'b', 'c']);
    vi.runAllTimers();
    expect(shown).toEqual(['a', 'b', 'c']); // the timer finds nothing left
  });

  it('with streaming off shows nothing until the flush at the end', () => {
    const { b, shown } = make(0, false);
    b.push('a');
    b.push('b');
    vi.runAllTimers();
    expect(shown).toEqual([]);
    b.flush();
    expect(shown).toEqual(['ab']);
  });

  it('goes on streaming when a render throws', () => {
    const shown: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const b = new StreamBatcher(
      (t) => shown.push(t),
      true,
      () => {
        throw new Error('a component failed');
      },
    );
    b.push('a');
    b.push('b');
    vi.runAllTimers();
    expect(shown).toEqual(['a', 'b']);
    expect(error).toHaveBeenCalledTimes(2);
    error.mockRestore();
  });

  it('waits longer between cheap batches when the engine takes every core', () => {
    expect(minRenderDelay(2, 2, 'cpu')).toBe(STREAM_RENDER_CONTENDED_MS);
    expect(minRenderDelay(4, 2, 'cpu')).toBe(STREAM_RENDER_CONTENDED_MS);
    expect(minRenderDelay(1, 2, 'cpu')).toBe(STREAM_RENDER_MS);
    expect(minRenderDelay(4, 8, 'cpu')).toBe(STREAM_RENDER_MS);
    expect(minRenderDelay(2, 2, 'webgpu')).toBe(STREAM_RENDER_MS); // the GPU does the work
    expect(nextRenderDelay(1, STREAM_RENDER_CONTENDED_MS)).toBe(STREAM_RENDER_CONTENDED_MS);
    expect(nextRenderDelay(50, STREAM_RENDER_CONTENDED_MS)).toBe(STREAM_RENDER_MAX_MS);

    const shown: string[] = [];
    const b = new StreamBatcher((t) => shown.push(t), true, () => {}, STREAM_RENDER_CONTENDED_MS, () => 0);
    b.push('a');
    b.push('b');
    vi.advanceTimersByTime(STREAM_RENDER_CONTENDED_MS - 1);
    expect(shown).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(['a', 'b']);
  });
});
