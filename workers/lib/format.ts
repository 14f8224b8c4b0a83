/**
 * Sizes and durations for people. Every byte count in the app goes through formatBytes, so a file's
 * size in the catalogue and a memory verdict about it read alike.
 */

const decimal = (n: number, unit: string): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} ${unit}`;

/**
 * Decimal units, as model cards use (GB = 1e9 bytes, two decimals like "4.37 GB"); a size that is an
 * exact number of GiB (the WebAssembly limit) also shows its binary form: "4 GiB (4.29 GB)".
 */
export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  const text =
    bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? decimal(bytes / 1e6, 'MB') : bytes >= 1e3 ? decimal(bytes / 1e3, 'kB') : `${Math.round(bytes)} B`;
  return bytes >= 1024 ** 3 && Number.isInteger(gib) ? `${gib} GiB (${text})` : text;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
