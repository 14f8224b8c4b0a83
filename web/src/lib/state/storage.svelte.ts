/** What the model cache holds (as the download worker lists it), and how much room the browser gives it. */
import type { ModelRecord } from '$workers/lib/cache/schema';
import type { DownloadsApi } from '../engine/download-client';

export class StorageState {
  records = $state.raw<ModelRecord[]>([]);
  used = $state<number | null>(null);
  quota = $state<number | null>(null);
  persisted = $state<boolean | null>(null);
  private readonly downloads: () => DownloadsApi;
  /** Refreshes overlap (each download step asks for one): only the newest one's answer is shown. */
  #generation = 0;

  constructor(downloads: () => DownloadsApi) {
    this.downloads = downloads;
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    const storage = globalThis.navigator?.storage;
    const [records, est, persisted] = await Promise.all([
      // Storage blocked (IndexedDB refused): nothing is cached, and the storage notice says so.
      this.downloads().list().catch(() => [] as ModelRecord[]),
      storage?.estimate?.().catch(() => null) ?? null,
      storage?.persisted?.().catch(() => null) ?? null,
    ]);
    if (generation !== this.#generation) return;
    this.records = records.sort((a, b) => b.updatedAt - a.updatedAt);
    this.used = est?.usage ?? null;
    this.quota = est?.quota ?? null;
    this.persisted = persisted;
  }

  /** The record of one cached model, as of the last refresh. */
  record(id: string | null): ModelRecord | null {
    return (id && this.records.find((r) => r.id === id)) || null;
  }

  async remove(id: string): Promise<void> {
    await this.downloads().delete(id);
    await this.refresh();
  }

  async clear(): Promise<void> {
    await this.downloads().clear();
    await this.refresh();
  }

  async requestPersistence(): Promise<void> {
    this.persisted = (await globalThis.navigator?.storage?.persist?.().catch(() => false)) ?? false;
  }
}
