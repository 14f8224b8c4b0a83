/**
 * Playwright fixtures: a local model server per test, and helpers that drive the app through its
 * test contract (data-testids, URL parameters).
 */
import { expect, test as base, type Page } from '@playwright/test';
import { startModelServer, type ModelServer } from '../fixtures/model-server';
import { TEST_MODEL_DIR } from '../fixtures/test-models';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { CHUNK_TAG, DB_NAME, MODEL_TAG, STORE_NAME, type ModelRecord } from '../../workers/lib/cache/schema';

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
      // The init script runs in the page, so the key travels in as an argument.
      await context.addInitScript(({ key, threads }) => {
        try {
          if (localStorage.getItem(key) === null) localStorage.setItem(key, JSON.stringify({ backend: 'auto', threads }));
        } catch {
          // opaque origins (about:blank) have no storage
        }
      }, { key: PREF_KEYS.engine, threads: threadsPref });
    }
    await use(context);
  },
});

export { expect };

export async function waitForReady(page: Page, timeout = 60_000): Promise<void> {
  try {
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout });
  } catch (e) {
    // The page's own account of a failed load (a CI run once showed only "Error <file>"), if it gives one.
    const banners = await page.getByTestId('error-banner').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-kind')}: ${el.textContent?.trim()}`));
    if (banners.length && e instanceof Error) e.message += `\n\nThe page's error: ${banners.join('\n')}`;
    throw e;
  }
}

/**
 * Types and sends a message; unless it is to be `refused`, waits until its reply is on screen. The app
 * adds the message and its reply only once the worker has tokenized the prompt, so without this wait
 * `lastAssistant` can still be the previous, finished reply (a race one CI run lost three times).
 */
export async function sendMessage(page: Page, text: string, { refused = false } = {}): Promise<void> {
  const replies = page.locator('[data-testid=message][data-role=assistant]');
  const before = await replies.count();
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('send-button').click();
  if (!refused) await expect(replies).toHaveCount(before + 1);
}

/** The token ids of the last prompt sent, as the Template panel lists them. */
export const promptTokens = async (page: Page): Promise<number[]> =>
  JSON.parse((await page.getByTestId('prompt-tokens').textContent()) ?? 'null') as number[];

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

type CacheQuery =
  | { what: 'entries'; id: string }
  | { what: 'chunk-keys'; id: string }
  | { what: 'record'; id: string }
  | { what: 'file-hashes'; id: string }
  | { what: 'chunk-hashes'; id: string; file: number };

/** The cache's names (workers/lib/cache/schema.ts), passed into pages: page.evaluate cannot import. */
export const CACHE_SCHEMA = { db: DB_NAME, store: STORE_NAME, model: MODEL_TAG, chunk: CHUNK_TAG } as const;

/**
 * Reads the app's cache straight from IndexedDB in the page (the store idb-keyval keeps), one query
 * kind per helper below. One function, because page.evaluate cannot share code with Node.
 */
function queryCache(page: Page, q: CacheQuery): Promise<unknown> {
  return page.evaluate(async ({ q, schema }) => {
    // Opening a database that does not exist would create it empty and break idb-keyval's setup.
    if (!(await indexedDB.databases()).some((d) => d.name === schema.db)) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(schema.db);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const request = <T>(make: (store: IDBObjectStore) => IDBRequest) =>
      new Promise<T>((resolve, reject) => {
        const r = make(db.transaction(schema.store).objectStore(schema.store));
        r.onsuccess = () => resolve(r.result as T);
        r.onerror = () => reject(r.error);
      });
    const sha256 = async (data: Blob) =>
      [...new Uint8Array(await crypto.subtle.digest('SHA-256', await data.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
    try {
      if (!db.objectStoreNames.contains(schema.store)) return null;
      if (q.what === 'entries') {
        const keys = await request<IDBValidKey[]>((s) => s.getAllKeys());
        return keys.filter((k) => Array.isArray(k) && k[1] === q.id).length;
      }
      if (q.what === 'chunk-keys') {
        const keys = await request<IDBValidKey[]>((s) => s.getAllKeys());
        return keys.filter((k) => Array.isArray(k) && k[0] === schema.chunk && k[1] === q.id).map((k) => (k as unknown[]).slice(2));
      }
      const record = (await request<unknown>((s) => s.get([schema.model, q.id]))) as ModelRecord | undefined;
      if (q.what === 'record' || !record) return record ?? null;
      const chunk = (file: number, c: number) => request<Blob>((s) => s.get([schema.chunk, q.id, file, c]));
      const out: string[] = [];
      if (q.what === 'chunk-hashes') {
        // One chunk at a time: a 1.5 GB model is never held whole.
        for (let c = 0; c < record.files[q.file].chunks; c++) out.push(await sha256(await chunk(q.file, c)));
        return out;
      }
      for (const [i, f] of record.files.entries()) {
        const parts: Blob[] = [];
        for (let c = 0; c < f.chunks; c++) parts.push(await chunk(i, c));
        out.push(await sha256(new Blob(parts)));
      }
      return out;
    } finally {
      db.close();
    }
  }, { q, schema: CACHE_SCHEMA });
}

/** Number of IndexedDB cache entries (records and chunks) that belong to a model id. */
export const cacheEntriesFor = async (page: Page, modelId: string): Promise<number> =>
  ((await queryCache(page, { what: 'entries', id: modelId })) as number | null) ?? 0;

/** The [file, chunk] indices of the chunks stored for a model id, in key order. */
export const storedChunkKeys = async (page: Page, modelId: string): Promise<[number, number][]> =>
  ((await queryCache(page, { what: 'chunk-keys', id: modelId })) as [number, number][] | null) ?? [];

/** SHA-256 (hex) of each cached file of a model, read back from IndexedDB in the page. */
export const cachedFileHashes = async (page: Page, modelId: string): Promise<string[]> =>
  ((await queryCache(page, { what: 'file-hashes', id: modelId })) as string[] | null) ?? [];

/** The cache's model record for an id, as stored. */
export const cachedRecord = (page: Page, modelId: string): Promise<ModelRecord | null> =>
  queryCache(page, { what: 'record', id: modelId }) as Promise<ModelRecord | null>;

/** SHA-256 (hex) of every stored chunk of one file of a model, read back from IndexedDB one at a time. */
export const cachedChunkHashes = async (page: Page, modelId: string, file = 0): Promise<string[]> =>
  ((await queryCache(page, { what: 'chunk-hashes', id: modelId, file })) as string[] | null) ?? [];
