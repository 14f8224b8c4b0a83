/**
 * The model spec that opens a cached record again. A download started with `#sha256=` pins keeps
 * them on its files (expectedSha256); reopening it without the fragment would look like another file
 * to the download (its expected hash differs) and throw the stored part away.
 */
import type { ModelRecord } from './schema';

export function specOfRecord(record: ModelRecord): string {
  const url = record.files[0]?.url ?? record.id;
  const pins = record.files.map((f) => f.expectedSha256);
  return pins.length > 0 && pins.every((h): h is string => typeof h === 'string' && h.length === 64) ? `${url}#sha256=${pins.join(',')}` : url;
}
