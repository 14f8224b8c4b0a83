/**
 * A failed open keeps what worked: the model that was loaded stays loaded and chats, with the error
 * beside it; Open works for every complete cached model, imported files included.
 */
import { MODELS } from '../../tools/models/catalog';
import { testModel } from '../fixtures/test-models';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

test('a failed open leaves the loaded model ready and chatting, with the error shown', async ({ page }) => {
  await page.goto('/');
  await waitForReady(page);
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('local-file-input').setInputFiles(testModel('demoUnknownArch').path);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'load-failed', { timeout: 60_000 });
  await expect(banner).toContainText("unknown model architecture: 'gpt5'");

  // The demo model is still the one loaded, and it answers.
  await waitForReady(page);
  await expect(page.getByTestId('model-status')).toContainText('Starling Playground demo');
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);

  // The storage panel agrees: the demo is loaded, the gpt5 file cannot be loaded.
  await page.getByTestId('open-storage').click();
  const demo = page.locator('[data-testid=storage-item]').filter({ hasText: '(loaded)' });
  await expect(demo).toHaveCount(1);
  await expect(demo).toHaveAttribute('data-loadable', 'true');
  await expect(page.locator('[data-testid=storage-item][data-loadable=false]')).toHaveAttribute('data-model-id', /^local:/);
});

test('Open loads an imported file from the cache, and a URL model back again', async ({ page }) => {
  const local = testModel('demoNoEot');
  await page.goto('/');
  await waitForReady(page);
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('local-file-input').setInputFiles(local.path);
  await expect(page.getByTestId('model-status')).toContainText('Demo whose EOS is </s>', { timeout: 60_000 });
  await waitForReady(page);

  // Back to the demo model, then Open the imported file from the storage panel.
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('use-demo-model').click();
  await expect(page.getByTestId('model-status')).toContainText('Starling Playground demo', { timeout: 60_000 });
  await waitForReady(page);
  await page.getByTestId('open-storage').click();
  const imported = page.locator('[data-testid=storage-item][data-model-id^="local:"]');
  await expect(imported).toHaveCount(1);
  await imported.getByTestId('storage-open').click();
  await expect(page.getByTestId('model-status')).toContainText('Demo whose EOS is </s>', { timeout: 60_000 });
  await waitForReady(page);
  await expect(imported).toContainText('(loaded)');
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demoNoEot.reply);
});
