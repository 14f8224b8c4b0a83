import { DEFAULT_CHUNK_BYTES } from '../../workers/lib/download/defaults';
import { sha256Chunks, sha256File } from '../fixtures/file-hash';
import { testModel } from '../fixtures/test-models';
import { cacheEntriesFor, cachedChunkHashes, cachedRecord, expect, test, waitForReady } from './fixtures';

test('a 1.5 GB model is written and read back correctly 5 times in a row', async ({ page, modelServer }) => {
  test.setTimeout(15 * 60_000);
  const { file, path } = testModel('big1500m');
  const [fileSha, chunkShas] = await Promise.all([sha256File(path), sha256Chunks(path, DEFAULT_CHUNK_BYTES)]);
  const url = `${modelServer.url}/models/${file}`;
  for (let round = 1; round <= 5; round++) {
    await page.goto(`/?model=${encodeURIComponent(url)}&ctx=512&panel=storage`);
    await waitForReady(page, 5 * 60_000);
    await expect(page.getByTestId('model-status')).not.toContainText('from cache');
    const record = await cachedRecord(page, url);
    expect(record?.complete, `round ${round}`).toBe(true);
    expect(record?.files[0].sha256, `round ${round}: hash of the bytes written`).toBe(fileSha);
    expect(await cachedChunkHashes(page, url), `round ${round}: bytes read back`).toEqual(chunkShas);
    await page.locator(`[data-testid=storage-item][data-model-id="${url}"]`).getByTestId('storage-delete').click();
    await expect(page.locator(`[data-testid=storage-item][data-model-id="${url}"]`)).toHaveCount(0);
    expect(await cacheEntriesFor(page, url)).toBe(0);
  }
});
