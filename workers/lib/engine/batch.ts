/**
 * Prompt tokens per llama_decode (n_batch, with n_ubatch the same). On the CPU a larger batch runs the
 * prompt faster until the matrix kernels stop gaining, but one batch is also the longest stretch a
 * Stop waits for. `?batch=` sets it (the bench's sweep, `npm run bench -- --only batch`).
 */

/** The own engine's default: the fastest of the bench's sweep on the 134M models (README, "Benchmarks"). */
export const OWN_BATCH = 256;

export function batchReason(batch: number, requested: number | undefined, engine: 'own' | 'wllama'): string {
  if (requested !== undefined) return `prompt in batches of ${batch} tokens, as requested (?batch=${requested}).`;
  return engine === 'own'
    ? `prompt in batches of ${batch} tokens: the fastest in the bench's n_batch sweep, short enough that Stop answers within one batch.`
    : `prompt in batches of ${batch} tokens (wllama's default).`;
}
