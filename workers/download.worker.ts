/// <reference lib="webworker" />
/**
 * The download worker, the only owner of the model cache: it downloads and imports models into
 * IndexedDB off the main thread, and lists, deletes and opens what is cached for the page.
 */
import { toErrorData } from './lib/errors';
import { clearAll, deleteModel, listRecords, markLoadError, readRecord } from './lib/cache/model-cache';
import { fetchModel } from './lib/download/fetch-model';
import { ensureDownloaded, ensureImported, openCachedById, type OpenedFiles } from './lib/download/ensure';
import { localModelId, orderLocalFiles } from './lib/download/import-local';
import { Jobs } from './lib/download/jobs';
import { pinSha256 } from './lib/download/pin-hash';
import type { DownloadProgress } from './lib/download/progress';
import type { DownloadEvent, DownloadRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const jobs = new Jobs();
const post = (e: DownloadEvent): void => scope.postMessage(e);
/** Requests that fetch or copy bytes: an unexpected failure there is taken as a network one. */
const DOWNLOADS = new Set<DownloadRequest['type']>(['fetch-model', 'ensure', 'import-files']);
const stopped = (why: string): DOMException => new DOMException(why, 'AbortError');

/** The cache id an import will write, known before it starts (so a delete can stop it). */
function importId(files: File[]): string | null {
  try {
    return localModelId(orderLocalFiles(files));
  } catch {
    return null; // the import itself reports what is wrong with the files
  }
}

async function answer(msg: Exclude<DownloadRequest, { type: 'cancel' }>): Promise<DownloadEvent> {
  const { id } = msg;
  const onProgress = (progress: DownloadProgress): void => post({ id, type: 'progress', progress });
  const files = (o: OpenedFiles): DownloadEvent => ({ id, type: 'files', ...o });
  switch (msg.type) {
    case 'fetch-model': {
      const bytes = await jobs.run(id, msg.source.id, (signal) => fetchModel({ source: msg.source, options: msg.options, signal, onProgress }));
      return { id, type: 'done', modelId: msg.source.id, bytes };
    }
    case 'ensure':
      return files(await jobs.run(id, msg.source.id, (signal) => ensureDownloaded(msg.source, msg.options, signal, onProgress)));
    case 'import-files':
      return files(await jobs.run(id, importId(msg.files), (signal) => ensureImported(msg.files, msg.options, signal, onProgress)));
    case 'open-cached':
      return files(await openCachedById(msg.modelId));
    case 'pin-sha256': {
      const bytes = await jobs.run(id, msg.modelId, (signal) => pinSha256(msg.modelId, msg.sha256, signal));
      return { id, type: 'done', modelId: msg.modelId, bytes };
    }
    case 'lookup':
      return { id, type: 'record', record: (await readRecord(msg.modelId)) ?? null };
    case 'list':
      return { id, type: 'records', records: await listRecords() };
    case 'delete':
      await jobs.stop(msg.modelId, stopped('The model was deleted'));
      await deleteModel(msg.modelId);
      return { id, type: 'ok' };
    case 'clear':
      await jobs.stop(null, stopped('The cache was cleared'));
      await clearAll();
      return { id, type: 'ok' };
    case 'mark-load-error':
      await markLoadError(msg.modelId, msg.reason);
      return { id, type: 'ok' };
  }
}

scope.onmessage = async (ev: MessageEvent<DownloadRequest>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    jobs.cancel(msg.target, stopped('Download paused or cancelled'));
    return;
  }
  try {
    post(await answer(msg));
  } catch (e) {
    post({ id: msg.id, type: 'error', error: toErrorData(e, DOWNLOADS.has(msg.type) ? 'network' : 'storage') });
  }
};

post({ id: 0, type: 'hello' });
