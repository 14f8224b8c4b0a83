/** Pastes at least this long are kept as an attachment beside the composer, not in its textarea. */
export const LONG_PASTE_CHARS = 10_000;

/**
 * 100000 → "100,000". Not toLocaleString: its first call loads the locale data, a 30 ms main-thread
 * task measured here, right on the paste.
 */
export const formatCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
