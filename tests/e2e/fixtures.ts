/**
 * Playwright fixtures: a local model server per test, and helpers that drive the app through its
 * test contract (data-testids, URL parameters).
 */
import { expect, test as base, type Page } from '@playwright/test';
import { startModelServer, type ModelServer } from '../fixtures/model-server';
import { TEST_MODEL_DIR } from '../fixtures/test-models';

export const test = base.extend<{ modelServer: ModelServer }>({
  // Playwright requires the (empty) fixture destructuring here.
  // eslint-disable-next-line no-empty-pattern
  modelServer: async ({}, use) => {
    const server = await startModelServer(TEST_MODEL_DIR);
    await use(server);
    await server.close();
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
