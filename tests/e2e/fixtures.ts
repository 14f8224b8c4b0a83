/**
 * Playwright fixtures: a local model server per test, and helpers that drive the app through its
 * test contract (data-testids, URL parameters).
 */
import { expect, test as base, type Page } from '@playwright/test';
import { startModelServer, type ModelServer } from '../fixtures/model-server';
import { TEST_MODEL_DIR } from '../fixtures/test-models';

/**
 * threadsPref: the thread count saved in the app's engine preferences before the first page loads,
 * as a user would set it in Settings. Tests that are not about threads use 1, so each fresh browser
 * context does not spend three model loads measuring threads; null leaves the app to measure (the
 * tests of measurement and isolation).
 */
export const test = base.extend<{ modelServer: ModelServer; threadsPref: number | null }>({
  threadsPref: [1, { option: true }],
  // Playwright requires the (empty) fixture destructuring here.
  // eslint-disable-next-line no-empty-pattern
  modelServer: async ({}, use) => {
    const server = await startModelServer(TEST_MODEL_DIR);
    await use(server);
    await server.close();
  },
  context: async ({ context, threadsPref }, use) => {
    if (threadsPref !== null) {
      await context.addInitScript((threads) => {
        const key = 'starling-playground:engine:v1';
        try {
          if (localStorage.getItem(key) === null) localStorage.setItem(key, JSON.stringify({ backend: 'auto', threads }));
        } catch {
          // opaque origins (about:blank) have no storage
        }
      }, threadsPref);
    }
    await use(context);
  },
});

export { expect };

export async function waitForReady(page: Page, timeout = 60_000): Promise<void> {
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout });
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('send-button').click();
}

export const lastAssistant = (page: Page) => page.locator('[data-testid=message][data-role=assistant]').last();

/** Records every distinct text the last assistant message shows while it streams. */
export async function recordStreaming(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __snapshots: string[] };
    w.__snapshots = [];
    const observer = new MutationObserver(() => {
      const all = document.querySelectorAll('[data-testid=message][data-role=assistant] [data-testid=message-content]');
      const text = all[all.length - 1]?.textContent ?? '';
      if (text && w.__snapshots[w.__snapshots.length - 1] !== text) w.__snapshots.push(text);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export const streamedSnapshots = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __snapshots: string[] }).__snapshots);

/** Number of IndexedDB cache entries (records and chunks) that belong to a model id. */
export async function cacheEntriesFor(page: Page, modelId: string): Promise<number> {
  return page.evaluate(async (id) => {
    // Opening a database that does not exist would create it empty and break idb-keyval's setup.
    if (!(await indexedDB.databases()).some((d) => d.name === 'starling-playground')) return 0;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('starling-playground');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    if (!db.objectStoreNames.contains('cache')) return 0;
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      const r = db.transaction('cache').objectStore('cache').getAllKeys();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return keys.filter((k) => Array.isArray(k) && k[1] === id).length;
  }, modelId);
}

/** SHA-256 (hex) of each cached file of a model, read back from IndexedDB in the page. */
export async function cachedFileHashes(page: Page, modelId: string): Promise<string[]> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('starling-playground');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const get = <T>(key: IDBValidKey) =>
      new Promise<T>((resolve, reject) => {
        const r = db.transaction('cache').objectStore('cache').get(key);
        r.onsuccess = () => resolve(r.result as T);
        r.onerror = () => reject(r.error);
      });
    const record = await get<{ files: { chunks: number }[] }>(['model', id]);
    const out: string[] = [];
    for (const [i, f] of record.files.entries()) {
      const parts: Blob[] = [];
      for (let c = 0; c < f.chunks; c++) parts.push(await get<Blob>(['chunk', id, i, c]));
      const digest = await crypto.subtle.digest('SHA-256', await new Blob(parts).arrayBuffer());
      out.push([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
    }
    db.close();
    return out;
  }, modelId);
}

/** The cache's model record for an id, as stored. */
export async function cachedRecord(page: Page, modelId: string): Promise<{ complete: boolean; files: { verifiedBy?: string; sha256?: string }[] } | null> {
  return page.evaluate(async (id) => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'starling-playground')) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('starling-playground');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const rec = await new Promise<unknown>((resolve, reject) => {
      const r = db.transaction('cache').objectStore('cache').get(['model', id]);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return (rec ?? null) as { complete: boolean; files: { verifiedBy?: string; sha256?: string }[] } | null;
  }, modelId);
}

/** SHA-256 (hex) of every stored chunk of one file of a model, read back from IndexedDB one at a time. */
export async function cachedChunkHashes(page: Page, modelId: string, file = 0): Promise<string[]> {
  return page.evaluate(
    async ([id, fileIndex]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('starling-playground');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const get = <T>(key: IDBValidKey) =>
        new Promise<T>((resolve, reject) => {
          const r = db.transaction('cache').objectStore('cache').get(key);
          r.onsuccess = () => resolve(r.result as T);
          r.onerror = () => reject(r.error);
        });
      const record = await get<{ files: { chunks: number }[] }>(['model', id]);
      const out: string[] = [];
      for (let c = 0; c < record.files[fileIndex as number].chunks; c++) {
        const blob = await get<Blob>(['chunk', id, fileIndex, c]);
        const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
        out.push([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
      }
      db.close();
      return out;
    },
    [modelId, file] as const,
  );
}
