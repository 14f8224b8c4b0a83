/**
 * Models with no network (issue 13): offline, `/` opens the model last used when it is complete in
 * the cache, and a model that is not is refused at once with a plain message that names the cached
 * ones (offered as buttons), instead of a download that can only fail; the status shows Offline.
 * The page itself comes from the service worker's precache (offline.spec.ts tests that part).
 */
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// The offline reload needs the service worker (the chromium project blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

test('offline, / opens the last model used from the cache; an uncached one says so and offers the cached ones', async ({ page, context, modelServer }) => {
  await page.goto('/');
  await waitForReady(page); // the demo is now in the model cache, and the worker has precached the shell
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null)).toBe('activated');
  const starchat = `${modelServer.url}/models/${MODELS.starchat.file}`;
  await page.goto(`/?model=${encodeURIComponent(starchat)}`);
  await waitForReady(page);
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);

  await context.setOffline(true);
  await page.goto('/');
  await waitForReady(page);
  await expect(page.getByTestId('model-status')).toHaveAttribute('title', starchat); // the last one used, not the demo
  await expect(page.getByTestId('offline-indicator')).toBeVisible();

  const url = `${modelServer.url}/models/${MODELS.long.file}`;
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('model-url-input').fill(url);
  await page.getByTestId('model-open-button').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'offline');
  await expect(banner).toContainText('You are offline, and');
  await expect(banner).toContainText('is not complete in this browser');
  await expect(banner).toContainText(/Models you can use offline: .*starling-playground-demo\.Q8_0\.gguf/);
  expect(modelServer.gets(MODELS.long.file)).toHaveLength(0); // no download was even tried

  // The model that was loaded stays ready; an offered one opens from the cache and chats.
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  const choices = page.getByTestId('offline-choice');
  await expect(choices).toHaveCount(2);
  await choices.filter({ hasText: 'starling-playground-demo' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('title', /starling-playground-demo/);
  await waitForReady(page);
  await page.getByTestId('new-chat-button').click();
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);

  await context.setOffline(false);
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
});
