/**
 * Loads never lie: a model llama.cpp refuses becomes `load-failed` with llama.cpp's own reason, is
 * never shown as Ready, and is marked as not loadable in the storage panel (with Delete).
 */
import type { Page } from '@playwright/test';
import { MODELS } from '../../tools/models/catalog';
import { testModel } from '../fixtures/test-models';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

/** Records whether model-status ever says ready, from now on and across reloads (a load that lies shows it). */
async function watchForReady(page: Page): Promise<() => Promise<boolean>> {
  const watch = () => {
    const w = window as unknown as { __sawReady: boolean };
    w.__sawReady = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=model-status][data-state=ready]')) w.__sawReady = true;
    }).observe(document, { subtree: true, attributes: true, childList: true });
  };
  await page.addInitScript(watch);
  await page.evaluate(watch);
  return () => page.evaluate(() => (window as unknown as { __sawReady: boolean }).__sawReady);
}

async function expectUnloadable(page: Page, id: string | RegExp, reason: RegExp): Promise<void> {
  await page.getByTestId('open-storage').click();
  const item = page.locator('[data-testid=storage-item][data-loadable=false]');
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-model-id', id);
  await expect(item).toHaveAttribute('data-complete', 'true');
  await expect(item.getByTestId('storage-load-error')).toContainText(reason);
  await expect(item.getByTestId('storage-open')).toHaveCount(0);
  await expect(item.getByTestId('storage-delete')).toBeVisible();
}

test.describe('a model llama.cpp cannot load is reported with its reason, never as Ready', () => {
  test('an unknown architecture (gpt5) imported from a local file', async ({ page, modelServer }) => {
    const model = testModel('demoUnknownArch');
    // Start with no model loaded (a missing URL), so any Ready that shows would be the gpt5 file's.
    await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/missing/${model.file}`)}`);
    await expect(page.getByTestId('error-banner')).toHaveAttribute('data-kind', 'http-404');
    const sawReady = await watchForReady(page);
    await page.getByTestId('model-picker-toggle').click();
    await page.getByTestId('local-file-input').setInputFiles(model.path);
    const banner = page.getByTestId('error-banner');
    await expect(banner).toHaveAttribute('data-kind', 'load-failed', { timeout: 60_000 });
    await expect(banner).toContainText("unknown model architecture: 'gpt5'");
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
    expect(await sawReady()).toBe(false);
    await expectUnloadable(page, /^local:/, /unknown model architecture: 'gpt5'/);
  });

  test('a missing tensor, downloaded from a URL', async ({ page, modelServer }) => {
    const model = testModel('demoMissingTensor');
    const url = `${modelServer.url}/models/${model.file}`;
    await page.goto(`/?model=${encodeURIComponent(url)}`);
    const banner = page.getByTestId('error-banner');
    await expect(banner).toHaveAttribute('data-kind', 'load-failed', { timeout: 60_000 });
    await expect(banner).toContainText("tensor 'blk.0.ffn_down.weight' not found");
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
    await expectUnloadable(page, url, /tensor 'blk\.0\.ffn_down\.weight' not found/);

    // Opening it from the cache again fails the same way, without a Ready in between.
    const sawReady = await watchForReady(page);
    await page.reload();
    await expect(banner).toHaveAttribute('data-kind', 'load-failed', { timeout: 60_000 });
    await expect(banner).toContainText("tensor 'blk.0.ffn_down.weight' not found");
    expect(await sawReady()).toBe(false);

    // The app stays usable: the demo model opens and chats.
    await page.getByTestId('model-picker-toggle').click();
    await page.getByTestId('use-demo-model').click();
    await waitForReady(page);
    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
  });

  test('a context whose KV cache cannot be allocated (ctx=2000000) fails without marking the file', async ({ page, modelServer }) => {
    // The scripted long model (4 layers, dim 608): a 2,000,000-token KV cache is about 19 GB, past
    // what wasm can allocate. (The 1-layer demo model's is 0.5 GB, which loads.)
    const url = `${modelServer.url}/models/${MODELS.long.file}`;
    await page.goto(`/?model=${encodeURIComponent(url)}&ctx=2000000`);
    const banner = page.getByTestId('error-banner');
    // The memory planner may refuse it before the download; "Download anyway" then tries the load.
    await expect(banner).toHaveAttribute('data-kind', /too-big|load-failed/, { timeout: 60_000 });
    if ((await banner.getAttribute('data-kind')) === 'too-big') await page.getByTestId('retry-button').click();
    await expect(banner).toHaveAttribute('data-kind', 'load-failed', { timeout: 60_000 });
    await expect(banner).toContainText(/failed to allocate|KV cache|kv cache/i);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
    await expect(page.getByTestId('send-button')).toBeDisabled();
    // The file is fine (a smaller context loads it): the storage panel offers it.
    await page.getByTestId('open-storage').click();
    const item = page.locator(`[data-testid=storage-item][data-model-id="${url}"]`);
    await expect(item).toHaveAttribute('data-complete', 'true');
    await expect(item).toHaveAttribute('data-loadable', 'true');
  });
});
