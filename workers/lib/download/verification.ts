/**
 * Whether a cached model's bytes are proven to be the published file: "verified" means every file
 * matched a published SHA-256 (Hugging Face's LFS oid, a `#sha256=` pin, or one pinned later in the
 * Storage panel); "unverified" means it was checked only by size (and ETag), which a corrupted byte
 * or a file replaced on the server can pass.
 */
import type { ModelRecord } from '../cache/schema';

export const isVerified = (r: Pick<ModelRecord, 'complete' | 'files'>): boolean =>
  r.complete && r.files.length > 0 && r.files.every((f) => f.verifiedBy === 'sha256');

/** A short phrase for the UI. */
export function verificationText(r: Pick<ModelRecord, 'complete' | 'files'>): string {
  if (isVerified(r)) return 'verified (SHA-256)';
  const etag = r.files.some((f) => f.verifiedBy === 'size-etag');
  return `unverified (checked by size${etag ? ' and ETag' : ''} only; no published SHA-256)`;
}
