/**
 * Imports GGUF files the user picked or dropped into the same cache as downloads: checked like a
 * download (format, quota, GGUF size), copied chunk by chunk, hashed, and recorded complete last.
 * A gguf-split set is accepted in any order and stored in shard order.
 */
import { AppError } from '../errors';
import { parseShardName } from '../model-source';
import { deleteModel, openCachedFile, writeChunk, writeRecord } from '../cache/model-cache';
import { SCHEMA_VERSION, type CachedFile, type ModelRecord } from '../cache/schema';
import { inspectGguf } from '../gguf/inspect';
import type { DownloadOptions } from './defaults';
import { checkQuota, formatError } from './fetch-model';
import { InOrderHasher } from './hasher';
import { PROBE_BYTES } from './http';
import { ProgressTracker, type DownloadProgress } from './progress';
import { storageWriteErrorNow } from './storage-errors';

/** Orders a picked set of files; a split model must be complete. */
export function orderLocalFiles(files: File[]): File[] {
  if (files.length === 0) throw new AppError('bad-url', 'No file was chosen.');
  const shards = files.map((f) => parseShardName(f.name));
  if (shards.every((m) => m === null)) {
    if (files.length > 1) throw new AppError('bad-url', 'Choose one GGUF file, or every shard of one split model.');
    return files;
  }
  if (shards.some((m) => m === null)) throw new AppError('bad-url', 'Choose only the shards of one split model.');
  const count = shards[0]!.count;
  const no = (f: File): number => parseShardName(f.name)!.no;
  const sorted = [...files].sort((a, b) => no(a) - no(b));
  const numbers = sorted.map(no);
  if (sorted.length !== count || numbers.some((n, i) => n !== i + 1)) {
    throw new AppError('bad-url', `This split model has ${count} shards; choose all of them (got ${numbers.join(', ')}).`);
  }
  return sorted;
}

export const localModelId = (files: File[]): string =>
  `local:${files[0].name}:${files.reduce((n, f) => n + f.size, 0)}:${files[0].lastModified}`;

export async function importLocalFiles(
  picked: File[],
  options: DownloadOptions,
  signal: AbortSignal,
  onProgress: (p: DownloadProgress) => void,
): Promise<{ modelId: string; bytes: number }> {
  const files = orderLocalFiles(picked);
  for (const f of files) {
    const err = formatError(f.name, new Uint8Array(await f.slice(0, PROBE_BYTES).arrayBuffer()), '');
    if (err) throw err;
  }
  const id = localModelId(files);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  await checkQuota(bytes);
  await deleteModel(id);
  const tracker = new ProgressTracker(files.map((f) => f.name), onProgress);
  tracker.start(
    files.map((f) => f.size),
    files.map(() => 0),
  );
  tracker.setPhase('downloading');
  const cached: CachedFile[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const hasher = await InOrderHasher.create();
      const chunks = Math.ceil(file.size / options.chunkBytes);
      for (let c = 0; c < chunks; c++) {
        if (signal.aborted) throw signal.reason;
        const data = new Uint8Array(await file.slice(c * options.chunkBytes, (c + 1) * options.chunkBytes).arrayBuffer());
        await writeChunk(id, i, c, data);
        await hasher.add(c, data, () => false, () => Promise.reject(new Error('unreachable')));
        tracker.add(i, data.length);
      }
      const entry: CachedFile = {
        name: file.name,
        url: '',
        size: file.size,
        chunkBytes: options.chunkBytes,
        chunks,
        rangeSupported: false,
        sha256: hasher.digest(),
        verifiedBy: 'size',
        lastModified: new Date(file.lastModified).toUTCString(),
      };
      const stored = await openCachedFile(id, i, entry);
      const need = (await inspectGguf(stored).catch(() => null))?.expectedBytes ?? Infinity;
      if (stored.size < need) throw new AppError('truncated', `${file.name} is truncated or damaged: its GGUF header needs more bytes than the file has.`);
      cached.push(entry);
    }
    const now = Date.now();
    const record: ModelRecord = {
      schema: SCHEMA_VERSION,
      id,
      label: options.label ?? files[0].name,
      origin: 'local',
      files: cached,
      bytes,
      complete: true,
      createdAt: now,
      updatedAt: now,
    };
    await writeRecord(record);
    return { modelId: id, bytes };
  } catch (e) {
    await deleteModel(id).catch(() => {});
    // A full disk while copying the file in is a storage error with the numbers, not a network one.
    throw (await storageWriteErrorNow(e, files.reduce((n, f) => n + f.size, 0), false)) ?? e;
  }
}
