/** Typed front for the download worker. */
import type { DownloadEvent, DownloadOptions, DownloadProgress, DownloadRequest } from '$workers/protocol';
import { AppError } from '$workers/lib/errors';
import type { ModelSource } from '$workers/lib/model-source';
import { startWorker, WorkerClient } from './worker-client';
import DownloadWorker from '$workers/download.worker.ts?worker';

type Body =
  | { type: 'fetch-model'; source: ModelSource; options: DownloadOptions }
  | { type: 'import-files'; files: File[]; options: DownloadOptions }
  | { type: 'pin-sha256'; modelId: string; sha256: string[] };

export class DownloadClient {
  private client: WorkerClient<DownloadRequest, DownloadEvent>;

  constructor() {
    const worker = startWorker(
      () => new DownloadWorker({ name: 'download' }),
      'download worker',
    );
    this.client = new WorkerClient(worker, new Set(['done']), 'download worker');
  }

  private async run(body: Body, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal): Promise<{ modelId: string; bytes: number }> {
    const { id, events } = this.client.request(body);
    const cancel = (): void => this.client.notify({ type: 'cancel', target: id });
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const ev of events) {
        if (ev.type === 'progress') onProgress(ev.progress);
        else if (ev.type === 'done') return { modelId: ev.modelId, bytes: ev.bytes };
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    throw new AppError('network', 'The download worker ended without an answer.');
  }

  fetchModel(source: ModelSource, options: DownloadOptions, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal) {
    return this.run({ type: 'fetch-model', source, options }, onProgress, signal);
  }

  /** Hashes a cached model's stored bytes against the given SHA-256s; marks it verified when they match. */
  pinSha256(modelId: string, sha256: string[]) {
    return this.run({ type: 'pin-sha256', modelId, sha256 }, () => {});
  }

  importFiles(files: File[], options: DownloadOptions, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal) {
    return this.run({ type: 'import-files', files, options }, onProgress, signal);
  }
}
