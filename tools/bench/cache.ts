/**
 * The model cache's figures: read throughput of the IndexedDB store (every chunk of a model read back
 * into memory, one at a time, in the page), measured in the app's own origin.
 */
import type { Page } from '@playwright/test';
import { CHUNK_TAG, DB_NAME, MODEL_TAG, STORE_NAME } from '../../workers/lib/cache/schema';

export interface CacheRead {
  bytes: number;
  chunks: number;
  /** The median of `runs`. */
  ms: number;
  /** Each read's time, where it was read more than once. */
  runs?: number[];
}

// Sent as source text: tsx would otherwise wrap its inner functions in a helper the page lacks.
// The cache's names come from its schema, as JSON in the text.
const q = JSON.stringify;
const READ_ALL = `async (name) => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open(${q(DB_NAME)});
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const req = (make) =>
    new Promise((resolve, reject) => {
      const r = make(db.transaction(${q(STORE_NAME)}).objectStore(${q(STORE_NAME)}));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const keys = await req((s) => s.getAllKeys(IDBKeyRange.bound([${q(MODEL_TAG)}], [${q(MODEL_TAG)}, []])));
  const key = keys.find((k) => Array.isArray(k) && String(k[1]).endsWith(name));
  if (!key) throw new Error('no cached model ends with ' + name);
  const id = key[1];
  const record = await req((s) => s.get(key));
  const t0 = performance.now();
  let bytes = 0;
  let chunks = 0;
  for (const [f, file] of record.files.entries()) {
    for (let c = 0; c < file.chunks; c++) {
      const blob = await req((s) => s.get([${q(CHUNK_TAG)}, id, f, c]));
      bytes += (await blob.arrayBuffer()).byteLength;
      chunks++;
    }
  }
  const ms = performance.now() - t0;
  db.close();
  return { bytes, chunks, ms };
}`;

/** Reads every stored chunk of the cached model whose id ends with `file`, `times` times over: the median read. */
export async function readCachedModel(page: Page, file: string, times = 1): Promise<CacheRead> {
  const reads: CacheRead[] = [];
  for (let i = 0; i < times; i++) reads.push((await page.evaluate(`(${READ_ALL})(${JSON.stringify(file)})`)) as CacheRead);
  const runs = reads.map((r) => r.ms);
  const sorted = [...runs].sort((a, b) => a - b);
  return { ...reads[0], ms: sorted[Math.floor(sorted.length / 2)], ...(times > 1 ? { runs } : {}) };
}
