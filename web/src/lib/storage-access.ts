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

let indexedDBProbe: Promise<boolean> | undefined;

/**
 * Whether IndexedDB works here for the model cache: the getter, `open()` (which throws synchronously
 * in some blocked contexts), its success event (others fail asynchronously), and storing a Blob
 * (WebKit in a private or automation session opens the database, then aborts every transaction that
 * holds a Blob: "Error preparing Blob/File data to be stored in object store"). A separate probe
 * database is used, because opening the cache's own database without its schema would create it
 * empty. Measured once per page; at most `timeoutMs` (a blocked open may never answer).
 */
export function indexedDBUsable(timeoutMs = 3000): Promise<boolean> {
  return (indexedDBProbe ??= new Promise<boolean>((resolve) => {
    let factory: IDBFactory | undefined;
    let request: IDBOpenDBRequest;
    try {
      factory = globalThis.indexedDB;
      if (!factory) return resolve(false);
      request = factory.open(PROBE_DB);
    } catch {
      return resolve(false);
    }
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const finish = (ok: boolean, db?: IDBDatabase): void => {
      clearTimeout(timer);
      db?.close();
      try {
        factory.deleteDatabase(PROBE_DB);
      } catch {
        // the probe database is tiny; leaving it behind costs nothing
      }
      resolve(ok);
    };
    request.onupgradeneeded = () => {
      try {
        request.result.createObjectStore('probe');
      } catch {
        // finish() below sees the store missing
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      try {
        const tx = db.transaction('probe', 'readwrite');
        tx.objectStore('probe').put(new Blob([new Uint8Array(16)]), 'blob');
        tx.oncomplete = () => finish(true, db);
        tx.onabort = () => finish(false, db);
      } catch {
        finish(false, db);
      }
    };
    request.onerror = () => finish(false);
  }));
}

export interface StorageAvailability {
  /** Settings and preferences (localStorage). */
  settings: boolean;
  /** The model cache (IndexedDB). */
  models: boolean;
}

export async function storageAvailability(): Promise<StorageAvailability> {
  return { settings: localStorageUsable(), models: await indexedDBUsable() };
}

/** What the notice says, or null when everything can be kept. */
export function storageNotice(a: StorageAvailability): string | null {
  const lost = [!a.settings && 'settings', !a.models && 'downloaded models'].filter((x): x is string => typeof x === 'string');
  if (lost.length === 0) return null;
  const tail = a.models ? '' : ' Each visit downloads the model again.';
  return `This browser blocks storage for this site: ${lost.join(' and ')} will not be kept after this page closes.${tail}`;
}
