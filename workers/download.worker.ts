/// <reference lib="webworker" />
/** The download worker: fetches or imports model files into the IndexedDB cache off the main thread. */
import { toErrorData } from './lib/errors';
import { fetchModel } from './lib/download/fetch-model';
import { importLocalFiles } from './lib/download/import-local';
import { pinSha256 } from './lib/download/pin-hash';
import type { DownloadEvent, DownloadProgress, DownloadRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const running = new Map<number, AbortController>();
const post = (e: DownloadEvent): void => scope.postMessage(e);

scope.onmessage = async (ev: MessageEvent<DownloadRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    running.get(msg.target)?.abort(new DOMException('Download paused or cancelled', 'AbortError'));
    return;
  }
  const ctrl = new AbortController();
  running.set(msg.id, ctrl);
  const onProgress = (progress: DownloadProgress): void =>
    post({ id: msg.id, type: 'progress', progress });
  try {
    if (msg.type === 'fetch-model') {
      const bytes = await fetchModel({ source: msg.source, options: msg.options, signal: ctrl.signal, onProgress });
      post({ id: msg.id, type: 'done', modelId: msg.source.id, bytes });
    } else if (msg.type === 'pin-sha256') {
      const bytes = await pinSha256(msg.modelId, msg.sha256, ctrl.signal);
      post({ id: msg.id, type: 'done', modelId: msg.modelId, bytes });
    } else {
      const r = await importLocalFiles(msg.files, msg.options, ctrl.signal, onProgress);
      post({ id: msg.id, type: 'done', modelId: r.modelId, bytes: r.bytes });
    }
  } catch (e) {
    post({ id: msg.id, type: 'error', error: toErrorData(e, 'network') });
  } finally {
    running.delete(msg.id);
  }
};

post({ id: 0, type: 'hello' });
