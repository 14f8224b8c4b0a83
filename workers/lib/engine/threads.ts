/**
 * Default thread count when `?threads=` is not given (wllama's own default is half the cores).
 * Measured in headless Chromium on a 2-core machine, generation tok/s, 1 vs 2 threads:
 *   5 MB demo model 131-159 vs 57-91; 58 MB scripted model 31-34 vs 40-49; 133 MB (134M Q8_0) 10.7 vs 17.1.
 * Tiny models lose more to thread synchronisation than they gain, so they get one thread.
 */
export const SMALL_MODEL_BYTES = 16 << 20;

export function chooseThreads(modelBytes: number, cores: number): number {
  const available = Math.max(1, Math.floor(cores || 1));
  if (modelBytes < SMALL_MODEL_BYTES) return 1;
  return Math.min(available, 8);
}
