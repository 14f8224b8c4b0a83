/**
 * "Save for offline": downloads into the cache without loading, beside whatever model is in use, so
 * a user can fetch models before a flight (LM Studio's download list). The download worker's Web
 * Locks keep one download per model even if the same model is also opened; deleting the model stops
 * its save (the worker stops it before deleting).
 */
import { AppError, isAbort } from '$workers/lib/errors';
import { resolveModelSource } from '$workers/lib/model-source';
import type { DownloadOptions } from '$workers/lib/download/defaults';
import type { DownloadProgress } from '$workers/lib/download/progress';
import type { DownloadsApi } from '../engine/download-client';

export interface OfflineDownload {
  id: string;
  label: string;
  state: 'downloading' | 'done' | 'error' | 'cancelled';
  progress: DownloadProgress | null;
  error: string | null;
}

export class OfflineDownloads {
  items = $state<OfflineDownload[]>([]);
  private readonly downloads: () => DownloadsApi;
  // Bookkeeping only, never rendered: a plain Map on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #aborts = new Map<string, AbortController>();

  constructor(downloads: () => DownloadsApi) {
    this.downloads = downloads;
  }

  /**
   * Starts saving a model; resolves when it is stored (or failed, or was cancelled). `onChange` runs
   * when its phase changes and when it ends (the storage list then shows the partial or whole record).
   */
  async save(spec: string, base: string, options: DownloadOptions, label?: string, onChange?: () => void): Promise<void> {
    let source;
    try {
      source = resolveModelSource(spec, base);
    } catch (e) {
      this.items.push({ id: spec, label: label ?? spec, state: 'error', progress: null, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (this.#aborts.has(source.id)) return; // already saving it
    this.items = this.items.filter((i) => i.id !== source.id);
    this.items.push({ id: source.id, label: label ?? source.names[0], state: 'downloading', progress: null, error: null });
    const item = this.items[this.items.length - 1];
    const abort = new AbortController();
    this.#aborts.set(source.id, abort);
    try {
      const onProgress = (p: DownloadProgress): void => {
        const changed = item.progress?.phase !== p.phase;
        item.progress = p;
        if (changed) onChange?.();
      };
      await this.downloads().fetchModel(source, { ...options, label: item.label }, onProgress, abort.signal);
      item.state = 'done';
    } catch (e) {
      if (isAbort(e) || abort.signal.aborted) item.state = 'cancelled';
      else {
        item.state = 'error';
        item.error = e instanceof AppError || e instanceof Error ? e.message : String(e);
      }
    } finally {
      this.#aborts.delete(source.id);
      onChange?.();
    }
  }

  /** Stops a download; what is stored stays and resumes next time. */
  cancel(id: string): void {
    this.#aborts.get(id)?.abort();
  }

  dismiss(id: string): void {
    if (!this.#aborts.has(id)) this.items = this.items.filter((i) => i.id !== id);
  }
}
