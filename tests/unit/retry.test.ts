import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../../workers/lib/download/http';
import { retryDelays, withRetry } from '../../workers/lib/download/retry';
import { parseUrlParams } from '../../web/src/lib/url-params';

/** Runs withRetry over an operation that always fails retryably; returns when each try started (fake ms). */
async function triesOfAlwaysFailing(delays?: readonly number[]): Promise<{ at: number[]; error: unknown }> {
  const at: number[] = [];
  const t0 = Date.now();
  const run = withRetry(
    () => {
      at.push(Date.now() - t0);
      return Promise.reject(new RetryableError('down'));
    },
    new AbortController().signal,
    undefined,
    delays,
  ).catch((e: unknown) => e);
  await vi.runAllTimersAsync();
  return { at, error: await run };
}

describe('withRetry', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('tries six times, waiting 0.5, 1, 2, 4 and 8 s between, then gives the last error', async () => {
    const { at, error } = await triesOfAlwaysFailing();
    expect(at).toEqual([0, 500, 1500, 3500, 7500, 15500]);
    expect(error).toBeInstanceOf(RetryableError);
  });

  it('keeps the count and the doubling when the first wait is shorter (?retry=)', async () => {
    const { at } = await triesOfAlwaysFailing(retryDelays(50));
    expect(at).toEqual([0, 50, 150, 350, 750, 1550]);
  });

  it('does not retry an error that is not retryable', async () => {
    let tries = 0;
    const err = await withRetry(() => {
      tries++;
      return Promise.reject(new Error('a 404 is final'));
    }, new AbortController().signal).catch((e: unknown) => e);
    expect(tries).toBe(1);
    expect((err as Error).message).toBe('a 404 is final');
  });

  it('reads ?retry= as a positive whole number of milliseconds, and nothing else', () => {
    expect(parseUrlParams('?retry=50').retry).toBe(50);
    expect(parseUrlParams('?retry=0').retry).toBeUndefined();
    expect(parseUrlParams('?retry=-5').retry).toBeUndefined();
    expect(parseUrlParams('').retry).toBeUndefined();
  });
});
