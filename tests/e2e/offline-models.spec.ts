/**
 * Offline, a model that is not complete in the cache is refused at once with a plain message that
 * names the cached ones (offered as buttons), instead of a download that can only fail; the status
 * shows the app is offline. (Offline page loads through the service worker: offline.spec.ts.)
 */
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

test('offline, an uncached model says so and offers the cached ones; the status shows offline', async ({ page, context, modelServer }) => {
  await page.goto('/');
  await waitForReady(page); // the demo model is now complete in the cache
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);

  await context.setOffline(true);
  await expect(page.getByTestId('offline-indicator')).toBeVisible();
  const url = `${modelServer.url}/models/${MODELS.long.file}`;
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('model-url-input').fill(url);
  await page.getByTestId('model-open-button').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'offline');
  await expect(banner).toContainText("You are offline, and");
  await expect(banner).toContainText('is not complete in this browser');
  await expect(banner).toContainText('Models you can use offline: starling-playground-demo.Q8_0.gguf');
  expect(modelServer.gets(MODELS.long.file)).toHaveLength(0); // no download was even tried

  // The model that was loaded stays ready, and the cached one is offered.
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('offline-choice')).toHaveText(['Open starling-playground-demo.Q8_0.gguf']);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);

  await context.setOffline(false);
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
});
