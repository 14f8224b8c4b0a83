/**
 * Typed front for the download worker, the only owner of the model cache: downloads, imports, and
 * every read, delete and open of what is cached go through it (the page never opens IndexedDB's
 * model store itself).
 */
import type { DownloadEvent, DownloadRequest } from '$workers/protocol';
import type { DownloadOptions } from '$workers/lib/download/defaults';
import type { DownloadProgress } from '$workers/lib/download/progress';
import { DOWNLOAD_TERMINAL } from '$workers/protocol';
import type { ModelRecord } from '$workers/lib/cache/schema';
import { AppError } from '$workers/lib/errors';
import type { ModelSource } from '$workers/lib/model-source';
import { startWorker, WorkerClient } from './worker-client';
import DownloadWorker from '$workers/download.worker.ts?worker';

export type ModelInput = { kind: 'url'; source: ModelSource } | { kind: 'files'; files: File[] };

export interface EnsuredModel {
  modelId: string;
  files: File[];
  fromCache: boolean;
}

export interface EnsureHooks {
  onProgress: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Runs when the model is not complete in the cache, before any byte is fetched; throws to refuse. */
  beforeDownload?: (input: ModelInput) => Promise<void>;
}

type Body = DownloadRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class DownloadClient {
  private client: WorkerClient<DownloadRequest, DownloadEvent>;

  constructor() {
    const worker = startWorker(() => new DownloadWorker({ name: 'download' }), 'download worker');
    this.client = new WorkerClient(worker, new Set(DOWNLOAD_TERMINAL), 'download worker', undefined, (target) => ({ type: 'cancel', target }));
  }

  private async call<T extends DownloadEvent['type']>(
    body: Body,
    want: T,
    onProgress?: (p: DownloadProgress) => void,
    signal?: AbortSignal,
  ): Promise<Extract<DownloadEvent, { type: T }>> {
    const ev = await this.client.call(body, { signal, onEvent: (e) => e.type === 'progress' && onProgress?.(e.progress) });
    if (ev.type !== want) throw new AppError('storage', `The download worker answered "${ev.type}" to "${body.type}".`);
    return ev as Extract<DownloadEvent, { type: T }>;
  }

  /**
   * The files of a model for the engine: the complete cached copy, or (after `beforeDownload` allows
   * it) a download or import into the cache first. One call; the page reads nothing from IndexedDB.
   */
  async ensure(input: ModelInput, options: DownloadOptions, hooks: EnsureHooks): Promise<EnsuredModel> {
    if (input.kind === 'url' && (await this.lookup(input.source.id))?.complete) {
      return this.call({ type: 'ensure', source: input.source, options }, 'files', hooks.onProgress, hooks.signal);
    }
    await hooks.beforeDownload?.(input);
    if (hooks.signal?.aborted) throw hooks.signal.reason;
    const body: Body = input.kind === 'url' ? { type: 'ensure', source: input.source, options } : { type: 'import-files', files: input.files, options };
    return this.call(body, 'files', hooks.onProgress, hooks.signal);
  }

  /** A complete cached model's files by id (an imported file's `local:` id included). */
  openCached(modelId: string): Promise<EnsuredModel> {
    return this.call({ type: 'open-cached', modelId }, 'files');
  }

  /** Downloads into the cache without opening ("save for offline"). */
  fetchModel(source: ModelSource, options: DownloadOptions, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal) {
    return this.call({ type: 'fetch-model', source, options }, 'done', onProgress, signal);
  }

  async lookup(modelId: string): Promise<ModelRecord | null> {
    return (await this.call({ type: 'lookup', modelId }, 'record')).record;
  }

  async list(): Promise<ModelRecord[]> {
    return (await this.call({ type: 'list' }, 'records')).records;
  }

  /** Stops every download of the model, waits until they have stopped, then deletes it. */
  async delete(modelId: string): Promise<void> {
    await this.call({ type: 'delete', modelId }, 'ok');
  }

  async clear(): Promise<void> {
    await this.call({ type: 'clear' }, 'ok');
  }

  /** Records (or, with null, clears) why llama.cpp refused a cached model. */
  async markLoadError(modelId: string, reason: string | null): Promise<void> {
    await this.call({ type: 'mark-load-error', modelId, reason }, 'ok');
  }

  /** Hashes a cached model's stored bytes against the given SHA-256s; marks it verified when they match. */
  pinSha256(modelId: string, sha256: string[]) {
    return this.call({ type: 'pin-sha256', modelId, sha256 }, 'done');
  }
}

/** What the session and its states need from the download worker (a fake in unit tests). */
export type DownloadsApi = Pick<DownloadClient, 'ensure' | 'openCached' | 'fetchModel' | 'lookup' | 'list' | 'delete' | 'clear' | 'markLoadError' | 'pinSha256'>;
