/// <reference lib="webworker" />
/** The download worker: fetches model files into the IndexedDB cache off the main thread. */
import { toErrorData } from './lib/errors';
import { fetchModel } from './lib/download/fetch-model';
import type { DownloadEvent, DownloadRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const running = new Map<number, AbortController>();
const post = (e: DownloadEvent): void => scope.postMessage(e);

scope.onmessage = async (ev: MessageEvent<DownloadRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    running.get(msg.target)?.abort();
    return;
  }
  const ctrl = new AbortController();
  running.set(msg.id, ctrl);
  try {
    const bytes = await fetchModel({
      modelId: msg.modelId,
      urls: msg.urls,
      names: msg.names,
      signal: ctrl.signal,
      onProgress: (progress) => post({ id: msg.id, type: 'progress', progress }),
    });
    post({ id: msg.id, type: 'done', bytes });
  } catch (e) {
    post({ id: msg.id, type: 'error', error: toErrorData(e, 'network') });
  } finally {
    running.delete(msg.id);
  }
};

post({ id: 0, type: 'hello' });
