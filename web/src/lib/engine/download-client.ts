/** Typed front for the download worker. */
import type { DownloadEvent, DownloadProgress, DownloadRequest } from '../../../../workers/protocol';
import { AppError } from '../../../../workers/lib/errors';
import type { ModelSource } from '../../../../workers/lib/model-source';
import { startWorker, WorkerClient } from './worker-client';

export class DownloadClient {
  private client: WorkerClient<DownloadRequest, DownloadEvent>;

  constructor() {
    const worker = startWorker(
      () => new Worker(new URL('../../../../workers/download.worker.ts', import.meta.url), { type: 'module', name: 'download' }),
      'download worker',
    );
    this.client = new WorkerClient(worker, new Set(['done']), 'download worker');
  }

  async fetchModel(source: ModelSource, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal): Promise<number> {
    const { id, events } = this.client.request({ type: 'fetch-model', modelId: source.id, urls: source.urls, names: source.names });
    const cancel = (): void => this.client.notify({ type: 'cancel', target: id });
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const ev of events) {
        if (ev.type === 'progress') onProgress(ev.progress);
        else if (ev.type === 'done') return ev.bytes;
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    throw new AppError('network', 'The download worker ended without an answer.');
  }
}
