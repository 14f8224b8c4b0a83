/**
 * Default thread count when `?threads=` is not given. wllama's own default is half the cores.
 * Measured here (2 cores, headless Chromium): see README "Threads". Small models lose time to
 * thread synchronisation, larger ones gain from every core.
 */
export const SMALL_MODEL_BYTES = 64 << 20;

export function chooseThreads(modelBytes: number, cores: number): number {
  const available = Math.max(1, Math.floor(cores || 1));
  if (modelBytes < SMALL_MODEL_BYTES) return 1;
  return Math.min(available, 8);
}
