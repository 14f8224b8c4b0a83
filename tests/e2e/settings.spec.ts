import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { expect, lastAssistant, recordStreaming, sendMessage, streamedSnapshots, test, waitForReady } from './fixtures';
import type { Page } from '@playwright/test';

const field = (page: Page, name: string) => page.getByTestId(`setting-${name}`);
const fieldError = (page: Page, name: string) => page.locator(`[data-testid=setting-error][data-field=${name}]`);

test('out-of-range settings say why beside the field and are neither saved nor sent; streaming off and the context setting apply', async ({
  page,
}) => {
  await page.goto('/?panel=settings');
  await waitForReady(page);
  const stats = page.getByTestId('gen-stats');

  await field(page, 'max_tokens').fill('3');
  await expect(fieldError(page, 'max_tokens')).toHaveCount(0);
  // The hosted API's ranges: each refused value shows its reason, tied to the field, and says it is not applied.
  for (const [name, value, reason] of [
    ['temperature', '9', 'at most 5'],
    ['max_tokens', '-1', 'at least 1'],
    ['seed', '-5', '0 or more'],
    ['top_k', '0', 'at least 1'],
  ] as const) {
    await field(page, name).fill(value);
    const error = fieldError(page, name);
    await expect(error).toBeVisible();
    await expect(error).toContainText(reason);
    await expect(error).toContainText('Not applied');
    await expect(field(page, name)).toHaveAttribute('aria-invalid', 'true');
    await expect(field(page, name)).toHaveAttribute('aria-describedby', (await error.getAttribute('id')) ?? 'missing');
    await expect(field(page, name)).toHaveValue(value); // what was typed stays visible
  }

  // Not sent: the reply is as long as the last valid max_tokens (3), not a clamped −1 (1).
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(stats).toHaveAttribute('data-gen-tokens', '3');
  await expect(page.getByTestId('chat-input')).toBeFocused(); // focus is back in the composer after a reply

  // A one-token reply shows its count, not a rate.
  await field(page, 'max_tokens').fill('1');
  await sendMessage(page, 'Hello');
  await expect(stats).toHaveAttribute('data-gen-tokens', '1');
  await expect(stats).toContainText('generation 1 token');
  await expect(stats).not.toContainText('0.0 tok/s');

  // Not saved: a reload shows the last valid values.
  await field(page, 'stream').uncheck();
  await page.reload();
  await waitForReady(page);
  await expect(field(page, 'temperature')).toHaveValue('0');
  await expect(field(page, 'max_tokens')).toHaveValue('1');
  await expect(field(page, 'seed')).toHaveValue('');
  await expect(field(page, 'top_k')).toHaveValue('40');
  await expect(page.getByTestId('setting-error')).toHaveCount(0);

  // Streaming off (kept across the reload): the reply appears whole, never in parts.
  await expect(field(page, 'stream')).not.toBeChecked();
  await field(page, 'max_tokens').fill('256');
  await page.getByTestId('new-chat-button').click(); // the reload reopened the earlier conversation
  await recordStreaming(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
  expect(await streamedSnapshots(page)).toEqual([DEMO_REPLY]);

  // The context: bounded by the model's trained context (8192), applied by reloading the model.
  const ctxInfo = page.getByTestId('ctx-info');
  await expect(ctxInfo).toHaveAttribute('data-ctx', '4096');
  await expect(ctxInfo).toHaveAttribute('data-trained', '8192');
  await field(page, 'ctx').fill('9000');
  await expect(fieldError(page, 'ctx')).toContainText('trained');
  await field(page, 'ctx').fill('2048');
  await expect(fieldError(page, 'ctx')).toHaveCount(0);
  await page.getByTestId('engine-apply').click();
  await expect(ctxInfo).toHaveAttribute('data-ctx', '2048');
  await waitForReady(page);
  // max_tokens can no longer exceed the smaller context.
  await field(page, 'max_tokens').fill('3000');
  await expect(fieldError(page, 'max_tokens')).toContainText('at most 2048');
});

test('Escape stops a running reply and the cursor is back in the message box', async ({ page, modelServer }) => {
  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}`);
  await waitForReady(page);
  await sendMessage(page, 'Tell me everything');
  const content = lastAssistant(page).getByTestId('message-content');
  // Any text: the first token shows at once, later ones in batches that may come after the reply ends.
  await expect.poll(async () => (await content.textContent())?.trim().length ?? 0).toBeGreaterThan(0);
  await page.keyboard.press('Escape');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('send-button')).toBeVisible();
  await expect(page.getByTestId('chat-input')).toBeFocused();
});
