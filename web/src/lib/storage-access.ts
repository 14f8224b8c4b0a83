/**
 * Storage that may be blocked. In a cross-site iframe with third-party storage blocked (and in some
 * private modes) merely reading `window.localStorage`, `sessionStorage` or `indexedDB` throws a
 * SecurityError, so `globalThis.localStorage?.getItem(...)` is not a guard: the getter itself throws.
 * Every access in the app goes through these helpers, so the app starts with defaults instead of a
 * blank page, and can say what will not be kept.
 */

/** `localStorage`, or null when it is missing or blocked. */
function localStore(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Reads a key; null when absent or when storage is blocked. */
export function readLocal(key: string): string | null {
  try {
    return localStore()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Writes a key; false when storage is blocked or full (the value then lasts for this visit only). */
export function writeLocal(key: string, value: string): boolean {
  try {
    const store = localStore();
    if (!store) return false;
    store.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Whether localStorage can be read and written (a blocked store may exist and throw on use). */
export function localStorageUsable(): boolean {
  const probe = 'starling-playground:probe';
  try {
    const store = localStore();
    if (!store) return false;
    store.setItem(probe, '1');
    store.removeItem(probe);
    return true;
  } catch {
    return false;
  }
}

const PROBE_DB = 'starling-playground-probe';

/** How the model cache can keep models here: on disk, in memory for this session only, or not at all. */
export type ModelStorage = 'disk' | 'session' | 'none';

let indexedDBProbe: Promise<ModelStorage> | undefined;

/** Writes one value in its own transaction; resolves whether it was stored. */
const probeWrite = (db: IDBDatabase, value: unknown): Promise<boolean> =>
  new Promise((resolve) => {
    try {
      const tx = db.transaction('probe', 'readwrite');
      tx.objectStore('probe').put(value, 'k');
      tx.oncomplete = () => resolve(true);
      tx.onabort = () => resolve(false);
    } catch {
      resolve(false);
    }
  });

/**
 * Whether IndexedDB works here for the model cache, and how: the getter, `open()` (which throws
 * synchronously in some blocked contexts), its success event (others fail asynchronously), then
 * storing a Blob, else an ArrayBuffer. WebKit in a private or automation session keeps IndexedDB in
 * memory and aborts every transaction holding a Blob ("Error preparing Blob/File data to be stored
 * in object store") but stores ArrayBuffers: the download worker then stores chunks as bytes
 * (chunkForm in workers/lib/cache/model-cache.ts), and they last for the session. A separate probe
 * database is used, because opening the cache's own database without its schema would create it
 * empty. Measured once per page; at most `timeoutMs` (a blocked open may never answer).
 */
export function modelStorage(timeoutMs = 3000): Promise<ModelStorage> {
  return (indexedDBProbe ??= new Promise<ModelStorage>((resolve) => {
    let factory: IDBFactory | undefined;
    let request: IDBOpenDBRequest;
    try {
      factory = globalThis.indexedDB;
      if (!factory) return resolve('none');
      request = factory.open(PROBE_DB);
    } catch {
      return resolve('none');
    }
    const timer = setTimeout(() => resolve('none'), timeoutMs);
    const finish = (result: ModelStorage, db?: IDBDatabase): void => {
      clearTimeout(timer);
      db?.close();
      try {
        factory.deleteDatabase(PROBE_DB);
      } catch {
        // the probe database is tiny; leaving it behind costs nothing
      }
      resolve(result);
    };
    request.onupgradeneeded = () => {
      try {
        request.result.createObjectStore('probe');
      } catch {
        // the writes below see the store missing
      }
    };
    request.onsuccess = async () => {
      const db = request.result;
      if (await probeWrite(db, new Blob([new Uint8Array(16)]))) return finish('disk', db);
      finish((await probeWrite(db, new Uint8Array(16).buffer)) ? 'session' : 'none', db);
    };
    request.onerror = () => finish('none');
  }));
}

/** Whether the model cache works here at all (on disk or for this session). */
export const indexedDBUsable = async (): Promise<boolean> => (await modelStorage()) !== 'none';

export interface StorageAvailability {
  /** Settings and preferences (localStorage). */
  settings: boolean;
  /** The model cache (IndexedDB). */
  models: ModelStorage;
}

export async function storageAvailability(): Promise<StorageAvailability> {
  return { settings: localStorageUsable(), models: await modelStorage() };
}

/** What the notice says, or null when everything can be kept. */
export function storageNotice(a: StorageAvailability): string | null {
  const lost = [!a.settings && 'settings', a.models === 'none' && 'downloaded models'].filter((x): x is string => typeof x === 'string');
  const session =
    a.models === 'session'
      ? 'This browser keeps downloaded models in memory only (a private or automated window refuses to store files): they last until this window closes.'
      : null;
  if (lost.length === 0) return session;
  const tail = a.models === 'none' ? ' Each visit downloads the model again.' : '';
  const text = `This browser blocks storage for this site: ${lost.join(' and ')} will not be kept after this page closes.${tail}`;
  return session ? `${text} ${session}` : text;
}
