/**
 * Pinning a SHA-256 to a model already in the cache: the stored bytes are hashed (chunk by chunk, in
 * the download worker) and compared. A match marks the model verified; a mismatch is an `integrity`
 * error and the model stays as it was (unverified), for the user to delete or keep.
 */
import { AppError } from '../errors';
import { readChunk, readRecord, writeRecord } from '../cache/model-cache';
import { InOrderHasher } from './hasher';

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses what the user typed: one SHA-256 per file, separated by commas or spaces. */
export function parsePinnedHashes(text: string, files: number): string[] {
  const list = text.trim().toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (list.length !== files || list.some((h) => !HEX64.test(h))) {
    throw new AppError('bad-url', `Give ${files} SHA-256 digest${files === 1 ? '' : 's'} (64 hex digits${files === 1 ? '' : ' each, in shard order'}).`);
  }
  return list;
}

export async function pinSha256(modelId: string, hashes: string[], signal: AbortSignal): Promise<number> {
  const record = await readRecord(modelId);
  if (!record?.complete) throw new AppError('storage', 'That model is not (or no longer) completely in the cache.');
  if (hashes.length !== record.files.length || hashes.some((h) => !HEX64.test(h))) {
    throw new AppError('bad-url', `Give ${record.files.length} SHA-256 digests (64 hex digits each).`);
  }
  for (const [i, f] of record.files.entries()) {
    const hasher = await InOrderHasher.create();
    for (let c = 0; c < f.chunks; c++) {
      if (signal.aborted) throw signal.reason;
      const blob = await readChunk(record.id, i, c);
      if (!blob) throw new AppError('storage', `Chunk ${c} of ${f.name} is missing from the cache.`);
      await hasher.add(c, new Uint8Array(await blob.arrayBuffer()), () => false, () => Promise.reject(new Error('unreachable')));
    }
    const sha = hasher.digest();
    if (sha !== hashes[i]) {
      throw new AppError(
        'integrity',
        `The stored ${f.name} does not match that SHA-256 (its bytes hash to ${sha}). It stays cached as unverified; delete it if it is not the file you meant.`,
      );
    }
    f.sha256 = sha;
  }
  record.files.forEach((f, i) => {
    f.expectedSha256 = hashes[i];
    f.verifiedBy = 'sha256';
  });
  record.updatedAt = Date.now();
  await writeRecord(record);
  return record.bytes;
}
