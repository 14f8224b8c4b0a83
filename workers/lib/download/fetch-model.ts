/**
 * Downloads a model into the cache, the way a 4 GB file over a flaky connection needs it:
 * - a small first request per file learns size, ETag, Range support and the first bytes (HTML pages,
 *   legacy GGML and non-GGUF files, damaged GGUF headers and architectures the bundled llama.cpp does
 *   not know are refused before anything is stored; a long header is read further, up to 8 MiB);
 * - the space needed is checked against the storage quota before any byte is written;
 * - files are fetched as Range chunks by a small pool of parallel requests (no header but Range, so no
 *   CORS preflight; every 206 is checked against the first answer's range, size, ETag and
 *   Last-Modified, and a changed file drops what was stored), each chunk written to IndexedDB as one
 *   Blob and released; a dropped connection retries that chunk; a full disk keeps what is stored;
 * - a reload or closed tab resumes from the chunks already stored (the record with `complete: false`);
 * - SHA-256 is computed in order as chunks arrive (state saved with the record); against a published
 *   hash a mismatch triggers one repair pass that re-fetches chunks and replaces those that differ;
 * - each file must hold every tensor its GGUF header declares; the record saying `complete` comes last.
 * A server without Range support gets a plain whole-file download that restarts if interrupted.
 */
import { AppError } from '../errors';
import { formatBytes } from '../format';
import {
  deleteFileChunks,
  deleteModel,
  openCachedFile,
  readChunk,
  readRecord,
  storedChunks,
  writeChunk,
  writeRecord,
} from '../cache/model-cache';
import { SCHEMA_VERSION, type CachedFile, type ModelRecord } from '../cache/schema';
import { checkGgufHeader, MAX_HEADER_BYTES } from '../gguf/header-check';
import { inspectGguf, sniffFormat } from '../gguf/inspect';
import type { ModelSource } from '../model-source';
import type { DownloadOptions } from './defaults';
import { InOrderHasher, sha256Hex } from './hasher';
import { lookupHfSha256 } from './hf-sha';
import { fetchRange, fetchWhole, probe, RetryableError, sourceChanged, type Probe } from './http';
import { ProgressTracker, type DownloadProgress } from './progress';
import { retryDelays, withRetry } from './retry';
import { storageWriteErrorNow } from './storage-errors';

export interface FetchModelInput {
  source: ModelSource;
  options: DownloadOptions;
  signal: AbortSignal;
  onProgress: (p: DownloadProgress) => void;
}

export function formatError(url: string, head: Uint8Array, contentType: string): AppError | null {
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

/**
 * Checks the GGUF header from the first answer, reading a longer start of the file (bounded by
 * MAX_HEADER_BYTES) when the header is longer than what came first. Throws corrupt-gguf or
 * unsupported-arch before anything of the file is stored.
 */
async function checkHeader(p: Probe, name: string, first: boolean, signal: AbortSignal, delays: readonly number[]): Promise<void> {
  let head = p.head;
  let size = p.size;
  for (;;) {
    const v = checkGgufHeader(head, name, size, first);
    if (v.ok) return;
    if ('error' in v) throw v.error;
    const want = Math.min(MAX_HEADER_BYTES, Math.max(v.need, head.length * 4));
    if (want <= head.length || (size !== null && head.length >= size)) return; // cannot read further: the full check after download decides
    const more = await withRetry(() => probe(p.url, signal, want), signal, undefined, delays);
    if (more.etag !== p.etag || more.lastModified !== p.lastModified || (p.size !== null && more.size !== p.size)) {
      throw sourceChanged(p.url, 'its ETag, date or size changed between two requests');
    }
    if (more.head.length < want) size = more.head.length; // the file ends there
    if (more.head.length <= head.length) return;
    head = more.head;
  }
}

export async function checkQuota(needed: number): Promise<void> {
  const est = await navigator.storage?.estimate?.();
  if (!est?.quota) return;
  const free = est.quota - (est.usage ?? 0);
  // A little headroom for IndexedDB's own bookkeeping.
  if (needed * 1.02 + (8 << 20) > free) {
    throw new AppError(
      'quota',
      `This model needs ${formatBytes(needed)} of storage, but this browser lets this site store only ${formatBytes(Math.max(0, free))} more ` +
        `(of ${formatBytes(est.quota)} in all); nothing was written. ` +
        'Free disk space, delete cached models in the Storage panel, ask the browser to keep this site\'s data there, or pick a smaller quantisation.',
    );
  }
}

/** Is a stored partial download still the same file on the server? */
function sameFile(f: CachedFile, p: Probe, expected: string | undefined): boolean {
  return (
    f.url === p.url &&
    f.size === p.size &&
    f.etag === p.etag &&
    f.lastModified === p.lastModified &&
    f.rangeSupported === p.rangeSupported &&
    f.expectedSha256 === expected
  );
}

function newRecord(source: ModelSource, probes: Probe[], options: DownloadOptions): ModelRecord {
  const files: CachedFile[] = probes.map((p, i) => {
    const size = p.size ?? 0;
    const rangeSupported = p.rangeSupported && p.size !== null;
    const expected = source.sha256?.[i] ?? undefined;
    return {
      name: source.names[i],
      url: p.url,
      size,
      chunkBytes: options.chunkBytes,
      chunks: rangeSupported ? Math.ceil(size / options.chunkBytes) : 0,
      etag: p.etag,
      lastModified: p.lastModified,
      rangeSupported,
      ...(p.rangeHidden ? { rangeHidden: true } : {}),
      ...(expected ? { expectedSha256: expected, chunkSha256: [] } : {}),
      hashedChunks: 0,
    };
  });
  const now = Date.now();
  return {
    schema: SCHEMA_VERSION,
    id: source.id,
    label: options.label ?? source.names[0],
    origin: 'url',
    files,
    bytes: files.reduce((n, f) => n + f.size, 0),
    complete: false,
    createdAt: now,
    updatedAt: now,
  };
}

async function withDownloadLock<T>(id: string, onWaiting: () => void, fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return fn();
  const name = `starling-playground:download:${id}`;
  const first = await locks.request(name, { ifAvailable: true }, async (lock) => (lock ? { value: await fn() } : null));
  if (first) return first.value;
  onWaiting(); // another tab is downloading this model: wait for it, then (usually) find it complete
  return locks.request(name, () => fn());
}

class Download {
  private readonly tracker: ProgressTracker;
  private readonly hashers: InOrderHasher[] = [];
  private saving: Promise<void> = Promise.resolve();
  private stored = new Set<string>();
  /** Aborted on the first fatal error, to stop the other fetches in the pool. */
  private readonly ctrl = new AbortController();

  constructor(
    private record: ModelRecord,
    private readonly input: FetchModelInput,
  ) {
    this.tracker = new ProgressTracker(record.files.map((f) => f.name), input.onProgress);
    input.signal.addEventListener('abort', () => this.ctrl.abort(input.signal.reason), { once: true });
  }

  get signal(): AbortSignal {
    return this.ctrl.signal;
  }

  /** Writes the record after everything queued before it, with the hashers' current state. */
  private persist(): Promise<void> {
    this.saving = this.saving.then(() => {
      this.record.files.forEach((f, i) => {
        const h = this.hashers[i];
        if (h && h.next > 0) {
          f.hashState = h.save();
          f.hashedChunks = h.next;
        }
      });
      this.record.updatedAt = Date.now();
      return writeRecord(this.record).catch(async (e: unknown) => {
        throw (await storageWriteErrorNow(e, this.remainingBytes())) ?? e;
      });
    });
    return this.saving;
  }

  private isStored = (file: number, chunk: number): boolean => this.stored.has(`${file}:${chunk}`);

  /** Bytes not yet stored (for the numbers of a full-disk error). */
  private remainingBytes(): number {
    let stored = 0;
    for (const k of this.stored) {
      const [file, chunk] = k.split(':').map(Number);
      const f = this.record.files[file];
      if (f) stored += f.rangeSupported ? this.chunkLength(f, chunk) : f.chunkBytes;
    }
    return Math.max(0, this.record.bytes - stored);
  }

  /** Stores one chunk; a failure of the disk or quota becomes a quota/storage error with the numbers. */
  private async write(file: number, chunk: number, data: Uint8Array): Promise<void> {
    try {
      await writeChunk(this.record.id, file, chunk, data);
    } catch (e) {
      throw (await storageWriteErrorNow(e, this.remainingBytes())) ?? e;
    }
  }

  private async readBack(file: number, chunk: number): Promise<Uint8Array> {
    const blob = await readChunk(this.record.id, file, chunk);
    if (!blob) throw new AppError('storage', `Chunk ${chunk} of ${this.record.files[file].name} vanished from storage.`);
    return new Uint8Array(await blob.arrayBuffer());
  }

  async run(): Promise<number> {
    const { record } = this;
    this.stored = await storedChunks(record.id);
    for (const [i, f] of record.files.entries()) {
      if (!f.rangeSupported) {
        // Without Range requests a download cannot resume: start this file over.
        await deleteFileChunks(record.id, i);
        for (const k of [...this.stored]) if (k.startsWith(`${i}:`)) this.stored.delete(k);
        f.hashState = undefined;
        f.hashedChunks = 0;
      }
      this.hashers[i] = await InOrderHasher.create(f.hashState, f.hashedChunks ?? 0);
    }
    const storedBytes = record.files.map((f, i) =>
      f.rangeSupported ? [...Array(f.chunks).keys()].filter((c) => this.isStored(i, c)).reduce((n, c) => n + this.chunkLength(f, c), 0) : 0,
    );
    const remaining = record.bytes - storedBytes.reduce((a, b) => a + b, 0);
    await checkQuota(remaining);
    await this.persist();
    this.tracker.start(
      record.files.map((f) => f.size),
      storedBytes,
    );
    this.tracker.setPhase('downloading');

    // Catch up hashing over chunks stored by an earlier session.
    for (const i of record.files.keys()) await this.hashers[i].add(-1, null, (c) => this.isStored(i, c), (c) => this.readBack(i, c));

    await this.pool(
      record.files.flatMap((f, i) => (f.rangeSupported ? [...Array(f.chunks).keys()].filter((c) => !this.isStored(i, c)).map((c) => [i, c] as const) : [])),
    );
    for (const [i, f] of record.files.entries()) if (!f.rangeSupported) await this.whole(i);

    this.tracker.setPhase('verifying');
    for (const i of record.files.keys()) await this.verify(i);
    await this.saving;
    record.complete = true;
    record.updatedAt = Date.now();
    // Last: only now is the model usable.
    await writeRecord(record).catch(async (e: unknown) => {
      record.complete = false;
      throw (await storageWriteErrorNow(e, 0)) ?? e;
    });
    return record.bytes;
  }

  private chunkLength(f: CachedFile, c: number): number {
    return Math.min(f.chunkBytes, f.size - c * f.chunkBytes);
  }

  /** Runs chunk fetches, `parallel` at a time, in order. */
  private async pool(tasks: (readonly [number, number])[], repair = false): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) {
        if (this.signal.aborted) throw this.signal.reason;
        const [file, chunk] = tasks[next++];
        await (repair ? this.repairChunk(file, chunk) : this.fetchChunk(file, chunk));
      }
    };
    const n = Math.max(1, Math.min(this.input.options.parallel, tasks.length));
    let first: { error: unknown } | null = null;
    await Promise.allSettled(
      Array.from({ length: n }, () =>
        worker().catch((e: unknown) => {
          first ??= { error: e }; // the others then fail with this abort: keep the cause
          this.ctrl.abort(e);
        }),
      ),
    );
    if (first) throw this.input.signal.aborted ? this.input.signal.reason : (first as { error: unknown }).error;
  }

  private async download(file: number, chunk: number): Promise<Uint8Array> {
    const f = this.record.files[file];
    const start = chunk * f.chunkBytes;
    const end = start + this.chunkLength(f, chunk) - 1;
    let counted = 0;
    return withRetry(
      async () => {
        counted = 0;
        return fetchRange(f.url, start, end, { size: f.size, etag: f.etag, lastModified: f.lastModified, rangeHidden: f.rangeHidden }, this.signal, (n) => {
          counted += n;
          this.tracker.add(file, n);
        });
      },
      this.signal,
      () => {
        this.tracker.undo(file, counted);
        counted = 0; // taken back: an abort during the wait before the next try must not take it back again
        this.tracker.report(true); // a retry is progress: the page's watchdog (web/src/lib/watchdog.ts) waits on
      },
      retryDelays(this.input.options.retryFirstMs),
    ).catch((e: unknown) => {
      this.tracker.undo(file, counted);
      throw e;
    });
  }

  private async fetchChunk(file: number, chunk: number): Promise<void> {
    const f = this.record.files[file];
    const data = await this.download(file, chunk);
    try {
      await this.write(file, chunk, data);
    } catch (e) {
      this.tracker.undo(file, data.length); // the bar shows what is stored, not what was fetched
      throw e;
    }
    this.stored.add(`${file}:${chunk}`);
    if (f.chunkSha256) f.chunkSha256[chunk] = await sha256Hex(data);
    await this.hashers[file].add(chunk, data, (c) => this.isStored(file, c), (c) => this.readBack(file, c));
    await this.persist();
  }

  private repaired = new Set<string>();

  /** Re-fetches a chunk during repair; stores it only if it differs from the stored one. */
  private async repairChunk(file: number, chunk: number): Promise<void> {
    const f = this.record.files[file];
    const data = await this.download(file, chunk);
    const hash = await sha256Hex(data);
    if (f.chunkSha256?.[chunk] !== hash) {
      await this.write(file, chunk, data);
      f.chunkSha256![chunk] = hash;
    }
    this.repaired.add(`${file}:${chunk}`);
    await this.hashers[file].add(chunk, data, (c) => this.repaired.has(`${file}:${c}`), (c) => this.readBack(file, c));
  }

  /** Whole-file download for a server without Range support. */
  private async whole(file: number): Promise<void> {
    const f = this.record.files[file];
    const reader = await fetchWhole(f.url, this.signal);
    // Stored chunks are written and hashed between reads: the stall guard counts only the wait for the server.
    const hasher = this.hashers[file];
    let parts: Uint8Array[] = [];
    let partBytes = 0;
    let chunks = 0;
    let size = 0;
    const flush = async (): Promise<void> => {
      if (partBytes === 0) return;
      const data = new Uint8Array(partBytes);
      let o = 0;
      for (const p of parts) {
        data.set(p, o);
        o += p.length;
      }
      await this.write(file, chunks, data);
      if (f.chunkSha256) f.chunkSha256[chunks] = await sha256Hex(data);
      await hasher.add(chunks, data, () => false, (c) => this.readBack(file, c));
      chunks++;
      parts = [];
      partBytes = 0;
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let v = value;
        while (v.length > 0) {
          const take = Math.min(v.length, f.chunkBytes - partBytes);
          parts.push(v.subarray(0, take));
          partBytes += take;
          v = v.subarray(take);
          if (partBytes === f.chunkBytes) await flush();
        }
        size += value.length;
        this.tracker.add(file, value.length);
      }
      await flush();
    } catch (e) {
      await reader.cancel().catch(() => {});
      if (this.signal.aborted || e instanceof AppError || e instanceof RetryableError) throw e;
      throw new RetryableError(`The download of ${f.name} broke off (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (f.size && size !== f.size) throw new AppError('truncated', `${f.name} is truncated: ${size} of ${f.size} bytes arrived.`);
    f.size = size;
    f.chunks = chunks;
    this.record.bytes = this.record.files.reduce((n, x) => n + x.size, 0);
    await this.persist();
  }

  /** Hash check (with one repair pass) and GGUF size check of one stored file. */
  private async verify(file: number): Promise<void> {
    const f = this.record.files[file];
    let hasher = this.hashers[file];
    await hasher.add(-1, null, (c) => c < f.chunks, (c) => this.readBack(file, c));
    let sha = hasher.digest();
    if (f.expectedSha256 && sha !== f.expectedSha256) {
      // Some stored bytes differ from the published file: fetch it again and replace the chunks that differ.
      this.tracker.setPhase('repairing');
      hasher = this.hashers[file] = await InOrderHasher.create();
      this.tracker.start(
        this.record.files.map((x) => x.size),
        this.record.files.map((x, i) => (i === file ? 0 : x.size)),
      );
      await this.pool(
        [...Array(f.chunks).keys()].map((c) => [file, c] as const),
        true,
      );
      await hasher.add(-1, null, (c) => c < f.chunks, (c) => this.readBack(file, c));
      sha = hasher.digest();
      if (sha !== f.expectedSha256) {
        throw new AppError(
          'integrity',
          `${f.name} does not match its published SHA-256 (expected ${f.expectedSha256}, got ${sha}), even after downloading it again. It was not kept.`,
        );
      }
      this.tracker.setPhase('verifying');
    }
    f.sha256 = sha;
    f.hashState = undefined;
    f.verifiedBy = f.expectedSha256 ? 'sha256' : f.etag ? 'size-etag' : 'size';
    const blob = await openCachedFile(this.record.id, file, f);
    let expected: number;
    try {
      expected = (await inspectGguf(blob)).expectedBytes;
    } catch (e) {
      throw new AppError('truncated', `${f.name} is cut short or damaged: its GGUF header cannot be read (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (blob.size < expected) {
      throw new AppError('truncated', `${f.name} is truncated: ${blob.size} bytes, but its header needs ${expected}.`);
    }
  }
}

export async function fetchModel(input: FetchModelInput): Promise<number> {
  const { signal } = input;
  let source = input.source;
  return withDownloadLock(
    source.id,
    () =>
      input.onProgress({ phase: 'waiting', loaded: 0, total: 0, files: [], bytesPerSecond: 0, etaSeconds: null, resumedFrom: 0 }),
    async () => {
      const existing = await readRecord(source.id);
      if (existing?.complete) return existing.bytes;
      const probing = (): void =>
        input.onProgress({ phase: 'probing', loaded: 0, total: 0, files: [], bytesPerSecond: 0, etaSeconds: null, resumedFrom: 0 });
      probing();
      if (!source.sha256 && source.hf) {
        const sha256 = existing?.files.every((f) => f.expectedSha256)
          ? existing.files.map((f) => f.expectedSha256 ?? null)
          : await lookupHfSha256(source, signal);
        if (sha256) source = { ...source, sha256 };
      }
      // Each retry is reported: the page's watchdog counts silence between events.
      const delays = retryDelays(input.options.retryFirstMs);
      const probes = await Promise.all(source.urls.map((u) => withRetry(() => probe(u, signal), signal, probing, delays)));
      for (const [i, p] of probes.entries()) {
        try {
          const err = formatError(p.url, p.head, p.contentType);
          if (err) throw err;
          // Later shards of a split set carry no metadata of their own.
          await checkHeader(p, source.names[i], i === 0, signal, delays);
        } catch (err) {
          if (existing && !signal.aborted) await deleteModel(source.id);
          throw err;
        }
      }
      let record = existing;
      if (record && !probes.every((p, i) => record!.files[i] && sameFile(record!.files[i], p, source.sha256?.[i] ?? undefined))) {
        await deleteModel(source.id); // the server has a different file now: the stored part is useless
        record = undefined;
      }
      record ??= newRecord(source, probes, input.options);
      try {
        return await new Download(record, { ...input, source }).run();
      } catch (e) {
        // Kept for a resume: interruptions, and a full disk (the stored chunks are good; room is what is missing).
        const resumable =
          signal.aborted || e instanceof RetryableError || (e instanceof AppError && ['network', 'quota', 'storage'].includes(e.kind));
        if (!resumable) await deleteModel(source.id).catch(() => {});
        if (e instanceof RetryableError) {
          const canResume = record.files.every((f) => f.rangeSupported);
          throw new AppError(
            'network',
            `The download was interrupted: ${e.message} ` +
              (canResume
                ? 'What was stored is kept; once the server can be reached again, trying again resumes from there.'
                : 'This server does not answer Range requests, so trying again starts the download over.'),
          );
        }
        throw e;
      }
    },
  );
}
