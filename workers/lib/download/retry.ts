/** Tries an operation again after transient failures, waiting longer each time. */
import { RetryableError } from './http';

/** Five retries, each wait twice the last: 15.5 s in all from the default first wait of 500 ms. */
export const retryDelays = (firstMs = 500): number[] => [1, 2, 4, 8, 16].map((k) => k * firstMs);

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
  delays: readonly number[] = retryDelays(),
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
