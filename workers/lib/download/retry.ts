/** Tries an operation again after transient failures, waiting longer each time. */
import { RetryableError } from './http';

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export async function withRetry<T>(
  op: () => Promise<T>,
  signal: AbortSignal,
  onRetry: (e: RetryableError) => void = () => {},
  delays: readonly number[] = RETRY_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (signal.aborted || !(e instanceof RetryableError) || attempt >= delays.length) throw e;
      onRetry(e);
      await sleep(delays[attempt], signal);
    }
  }
}
