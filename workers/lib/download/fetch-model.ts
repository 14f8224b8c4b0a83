/**
 * Downloads a model's files into the cache: streams each response into fixed-size Blob chunks
 * (each written and released before the next), checks that the bytes are a GGUF file of the size its
 * header declares, and writes the model record last. Any failure removes what was written.
 */
import { AppError } from '../errors';
import { deleteModel, openCachedFile, writeChunk, writeRecord } from '../cache/model-cache';
import { SCHEMA_VERSION, type CachedFile } from '../cache/schema';
import { inspectGguf, sniffFormat } from '../gguf/inspect';
import type { DownloadProgress } from '../../protocol';

export const CHUNK_BYTES = 16 << 20;

export interface FetchModelInput {
  modelId: string;
  urls: string[];
  names: string[];
  signal: AbortSignal;
  onProgress: (p: DownloadProgress) => void;
}

function httpError(url: string, res: Response): AppError {
  if (res.status === 404) return new AppError('http-404', `The model file was not found (HTTP 404): ${url}`);
  return new AppError('http-error', `The server answered HTTP ${res.status} ${res.statusText} for ${url}`);
}

function formatError(url: string, head: Uint8Array, contentType: string): AppError | null {
  const format = sniffFormat(head);
  if (format === 'gguf') return null;
  if (format === 'ggml-legacy') {
    return new AppError(
      'ggml-legacy',
      'This is a legacy GGML file (from before GGUF, August 2023). llama.cpp can no longer load it; use a GGUF version of the model.',
    );
  }
  if (format === 'html' || contentType.includes('text/html')) {
    return new AppError('html-not-gguf', `The URL returned a web page, not a GGUF model file: ${url}`);
  }
  return new AppError('not-gguf', `The file is not a GGUF model (it does not start with the GGUF magic bytes): ${url}`);
}

async function fetchFile(
  input: FetchModelInput,
  index: number,
  progress: { loaded: number; total: number },
  report: () => void,
): Promise<CachedFile> {
  const url = input.urls[index];
  let res: Response;
  try {
    res = await fetch(url, { signal: input.signal, cache: 'no-store' });
  } catch (e) {
    if (input.signal.aborted) throw e;
    throw new AppError('network', `Could not reach ${url} (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!res.ok || !res.body) throw httpError(url, res);
  const declared = Number(res.headers.get('Content-Length') ?? NaN);
  if (Number.isFinite(declared) && index === 0) progress.total = declared;

  const reader = res.body.getReader();
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let size = 0;
  let chunks = 0;
  let checked = false;
  const flush = async (): Promise<void> => {
    if (partBytes === 0) return;
    await writeChunk(input.modelId, index, chunks++, new Blob(parts as BlobPart[]));
    parts = [];
    partBytes = 0;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!checked && size + value.length >= 16) {
        const head = new Uint8Array(Math.min(512, size + value.length));
        let o = 0;
        for (const p of [...parts, value]) {
          head.set(p.subarray(0, head.length - o), o);
          o += Math.min(p.length, head.length - o);
          if (o >= head.length) break;
        }
        const err = formatError(url, head, res.headers.get('Content-Type') ?? '');
        if (err) throw err;
        checked = true;
      }
      let v = value;
      while (v.length > 0) {
        const take = Math.min(v.length, CHUNK_BYTES - partBytes);
        parts.push(v.subarray(0, take));
        partBytes += take;
        v = v.subarray(take);
        if (partBytes === CHUNK_BYTES) await flush();
      }
      size += value.length;
      progress.loaded += value.length;
      if (progress.loaded > progress.total) progress.total = progress.loaded;
      report();
    }
    await flush();
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (input.signal.aborted) throw e;
    if (e instanceof AppError) throw e;
    throw new AppError('network', `The download of ${url} failed (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!checked) throw formatError(url, new Uint8Array(0), res.headers.get('Content-Type') ?? '')!;
  return { name: input.names[index], url, size, chunkBytes: CHUNK_BYTES, chunks, etag: res.headers.get('ETag') ?? undefined };
}

/** Reads back the file just written and checks it holds every tensor its GGUF header declares. */
async function verifyFile(modelId: string, index: number, file: CachedFile): Promise<void> {
  const blob = await openCachedFile(modelId, index, file);
  let expected: number;
  try {
    expected = (await inspectGguf(blob)).expectedBytes;
  } catch (e) {
    throw new AppError(
      'truncated',
      `${file.name} is cut short or damaged: its GGUF header cannot be read (${e instanceof Error ? e.message : String(e)}).`,
    );
  }
  if (blob.size < expected) {
    throw new AppError('truncated', `${file.name} is truncated: ${blob.size} bytes, but its header needs ${expected}.`);
  }
}

export async function fetchModel(input: FetchModelInput): Promise<number> {
  const progress = { loaded: 0, total: 0 };
  let last = 0;
  const report = (force = false): void => {
    const now = performance.now();
    if (force || now - last > 100) {
      last = now;
      input.onProgress({ ...progress });
    }
  };
  await deleteModel(input.modelId); // a leftover partial copy is never mixed with new bytes
  try {
    const files: CachedFile[] = [];
    for (let i = 0; i < input.urls.length; i++) {
      const file = await fetchFile(input, i, progress, report);
      await verifyFile(input.modelId, i, file);
      files.push(file);
    }
    report(true);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    await writeRecord({ schema: SCHEMA_VERSION, id: input.modelId, files, bytes, complete: true, createdAt: Date.now() });
    return bytes;
  } catch (e) {
    await deleteModel(input.modelId).catch(() => {});
    throw e;
  }
}
