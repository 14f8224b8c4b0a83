/**
 * Download defaults. 16 MiB chunks: big enough that per-request overhead is small, small enough that
 * an interrupted chunk costs little to fetch again and that each IndexedDB write stays modest.
 */
export const DEFAULT_CHUNK_BYTES = 16 << 20;
export const DEFAULT_PARALLEL = 3;
