/** What the model cache holds, and how much room the browser gives it. */
import { clearAll, deleteModel, listRecords } from '$workers/lib/cache/model-cache';
import type { ModelRecord } from '$workers/lib/cache/schema';

export class StorageState {
  records = $state.raw<ModelRecord[]>([]);
  used = $state<number | null>(null);
  quota = $state<number | null>(null);
  persisted = $state<boolean | null>(null);
  loading = $state(false);

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      const [records, est, persisted] = await Promise.all([
        listRecords(),
        navigator.storage?.estimate?.().catch(() => null) ?? null,
        navigator.storage?.persisted?.().catch(() => null) ?? null,
      ]);
      this.records = records.sort((a, b) => b.updatedAt - a.updatedAt);
      this.used = est?.usage ?? null;
      this.quota = est?.quota ?? null;
      this.persisted = persisted;
    } finally {
      this.loading = false;
    }
  }

  async remove(id: string): Promise<void> {
    await deleteModel(id);
    await this.refresh();
  }

  async clear(): Promise<void> {
    await clearAll();
    await this.refresh();
  }

  async requestPersistence(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
  }
}
