import type { Page } from '@playwright/test';
import { testModel } from '../fixtures/test-models';
import { MODELS } from '../../tools/models/catalog';
import { resolveModelSource } from '../../workers/lib/model-source';
import type { ModelRecord } from '../../workers/lib/cache/schema';
import { CACHE_SCHEMA, cacheEntriesFor, expect, test, waitForReady } from './fixtures';

/** Puts a complete record (no chunks: the catalogue shows records only) in the app's cache, as a finished download leaves it. */
async function seedRecord(page: Page, spec: string, verifiedBy: 'sha256' | 'size-etag'): Promise<void> {
  const id = resolveModelSource(spec, 'http://127.0.0.1/').id;
  const record: ModelRecord = {
    schema: 1,
    id,
    label: spec,
    origin: 'url',
    files: [{ name: id.split('/').pop()!, url: id, size: 1, chunkBytes: 1, chunks: 1, rangeSupported: true, verifiedBy }],
    bytes: 1,
    complete: true,
    createdAt: 0,
    updatedAt: 0,
  };
  await page.evaluate(
    ({ record, schema }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(schema.db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(schema.store, 'readwrite');
          tx.objectStore(schema.store).put(record, [schema.model, record.id]);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    { record, schema: CACHE_SCHEMA },
  );
}

test('the catalogue says which Starling quantisations can run on the CPU path here', async ({ page }) => {
  await page.goto('/?backend=cpu&ctx=4096');
  await waitForReady(page);
  // Two cached catalogue files: one verified by Hugging Face's published SHA-256, one checked by size and ETag only.
  await seedRecord(page, 'hf:TheBloke/Starling-LM-7B-alpha-GGUF/starling-lm-7b-alpha.Q2_K.gguf', 'sha256');
  await seedRecord(page, 'hf:TheBloke/Starling-LM-7B-alpha-GGUF/starling-lm-7b-alpha.Q3_K_S.gguf', 'size-etag');
  await page.getByTestId('model-picker-toggle').click();
  const row = (quant: string) =>
    page.locator(`[data-testid=catalog-model][data-model=starling-lm-7b-alpha] [data-testid=catalog-file][data-quant=${quant}]`);
  await expect(row('Q2_K').getByTestId('catalog-verified')).toHaveAttribute('data-verified', 'true');
  await expect(row('Q2_K').getByTestId('catalog-verified')).toHaveText('verified');
  await expect(row('Q3_K_S').getByTestId('catalog-verified')).toHaveAttribute('data-verified', 'false');
  await expect(row('Q3_K_S').getByTestId('catalog-verified')).toHaveText('unverified');
  await expect(row('Q4_K_M').getByTestId('catalog-verified')).toHaveCount(0); // not cached: no badge
  // 4.37 GB of weights cannot fit wllama's 4 GiB WebAssembly memory; 3.08 GB plus a 4096-token cache can.
  await expect(row('Q4_K_M')).toHaveAttribute('data-fits', 'false');
  await expect(row('Q4_K_M').locator('.verdict')).toHaveAttribute('title', /weights alone \(4\.37 GB\) do not fit/);
  await expect(row('Q2_K')).toHaveAttribute('data-fits', 'true');
  await expect(row('Q8_0')).toHaveAttribute('data-fits', 'false');
  const summary = page.locator('[data-testid=fit-summary][data-model=starling-lm-7b-alpha]');
  await expect(summary).toContainText('Q2_K');
  await expect(summary).not.toContainText('Q4_K_M');
});

test('a custom URL that cannot fit at the chosen context is refused from its header, before the download', async ({ page, modelServer }) => {
  test.setTimeout(180_000);
  const { file } = testModel('big1500mSparse');
  const url = `${modelServer.url}/models/${file}`;
  // 1.45 GB of weights, 24 layers × 2048 wide: a 32768-token f16 KV cache alone is 6 GiB.
  await page.goto(`/?model=${encodeURIComponent(url)}&ctx=32768&backend=cpu`);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'too-big');
  await expect(banner).toContainText('context cache 6 GiB');
  await expect(banner).toContainText(/It fits with a context of \d+ tokens or fewer/);
  // Only the header was read: no request beyond its first megabytes, nothing stored.
  for (const r of modelServer.gets(file)) expect(Number(/-(\d+)$/.exec(r.range ?? '')?.[1] ?? Infinity)).toBeLessThan(8 << 20);
  expect(await cacheEntriesFor(page, url)).toBe(0);

  // The user may still try: the download starts.
  await page.getByTestId('retry-button').click();
  await expect(page.getByTestId('download-progress')).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId('download-progress').getAttribute('data-loaded'))).toBeGreaterThan(0);
  await page.getByTestId('download-cancel').click();
});

test('a model that fits is not held up by the planner', async ({ page, modelServer }) => {
  const { file } = testModel('demo');
  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${file}`)}`);
  await waitForReady(page);
  // Small files skip the header read (one HEAD decides): only the download's own requests.
  expect(modelServer.requests.filter((r) => r.method === 'HEAD').length).toBeGreaterThan(0);
});

test("the own engine's heap is grown to the planner's figure before the load, not 20% past llama.cpp's last request", async ({ page, modelServer }) => {
  // 58 MB of weights at ctx 4096: the heap passes the engine's first 64 MB, so it must grow.
  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}&ctx=4096`);
  await waitForReady(page);
  const status = page.getByTestId('model-status');
  const heap = Number(await status.getAttribute('data-wasm-heap'));
  const used = Number(await status.getAttribute('data-wasm-heap-used'));
  expect(used).toBeGreaterThan(64 << 20);
  // Emscripten's own growth would leave up to 20% (or 96 MB) beyond what malloc took.
  expect(heap).toBeGreaterThanOrEqual(used);
  expect(heap / used).toBeLessThan(1.06);
});
