/**
 * Byte counts for people, in the decimal units model cards use (GB = 1e9 bytes); a size that is an
 * exact number of GiB (the WebAssembly limit) also shows its binary form: "4 GiB (4.29 GB)".
 */
export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  const decimal = bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${Math.round(bytes / 1e6)} MB` : `${Math.round(bytes / 1e3)} kB`;
  return bytes >= 1024 ** 3 && Number.isInteger(gib) ? `${gib} GiB (${decimal})` : decimal;
}
