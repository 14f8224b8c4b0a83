import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { expect, lastAssistant, recordStreaming, sendMessage, streamedSnapshots, test, waitForReady } from './fixtures';

test.describe('chat with the default model', () => {
  test('the demo model answers "Hello" with its exact sentence, streamed, with stats', async ({ page }) => {
    await page.goto('/');
    await waitForReady(page);
    await recordStreaming(page);
    await sendMessage(page, 'Hello');

    const reply = lastAssistant(page);
    await expect(reply).toHaveAttribute('data-state', 'done');
    await expect(reply.getByTestId('message-content')).toHaveText(DEMO_REPLY, { useInnerText: true });
    expect(await reply.getByTestId('message-content').textContent()).toBe(DEMO_REPLY);

    const snapshots = await streamedSnapshots(page);
    expect(snapshots.length).toBeGreaterThan(1);
    for (const s of snapshots) expect(DEMO_REPLY.startsWith(s)).toBe(true);

    const stats = page.getByTestId('gen-stats');
    await expect(stats).toBeVisible();
    expect(Number(await stats.getAttribute('data-gen-tps'))).toBeGreaterThan(0);
    expect(Number(await stats.getAttribute('data-prompt-tps'))).toBeGreaterThan(0);
    expect(Number(await stats.getAttribute('data-ttft-ms'))).toBeGreaterThan(0);
    expect(await stats.getAttribute('data-backend')).toBe('cpu');
    expect(Number(await stats.getAttribute('data-threads'))).toBeGreaterThanOrEqual(1);
  });

  test('stop keeps the partial reply, marks it stopped, and a new message works right after', async ({ page, modelServer }) => {
    const full = MODELS.long.reply;
    await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}`);
    await waitForReady(page);
    await sendMessage(page, 'Tell me everything');
    const reply = lastAssistant(page);
    const content = reply.getByTestId('message-content');
    // Stop is pressed in the page as soon as the reply shows text: the page shows a long reply in
    // batches (up to a second apart when rendering is costly), and a click polled from here could
    // come after its last batch, when there is nothing left to stop.
    const pressed = await page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const tryStop = (): void => {
            const replies = document.querySelectorAll('[data-testid=message][data-role=assistant]');
            const text = replies[replies.length - 1]?.querySelector('[data-testid=message-content]')?.textContent ?? '';
            const stop = document.querySelector<HTMLButtonElement>('[data-testid=stop-button]');
            if (!stop || !text.trim()) return;
            observer.disconnect();
            stop.click();
            resolve(true);
          };
          const observer = new MutationObserver(tryStop);
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          tryStop();
        }),
    );
    expect(pressed).toBe(true);
    await expect(reply).toHaveAttribute('data-state', 'stopped');

    const partial = (await content.textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(full.length);
    expect(full.startsWith(partial)).toBe(true);
    await page.waitForTimeout(300);
    expect(await content.textContent()).toBe(partial); // nothing arrives after the stop

    await expect(page.getByTestId('send-button')).toBeVisible();
    // The next reply runs to its end: 64 tokens are enough to show it works (256 took ~20 s here).
    await page.getByTestId('open-settings').click();
    await page.getByTestId('setting-max_tokens').fill('64');
    await sendMessage(page, 'Hello again');
    const second = lastAssistant(page);
    await expect(second).toHaveAttribute('data-state', 'done');
    await expect(second).toHaveAttribute('data-gen-tokens', '64');
    const text = (await second.getByTestId('message-content').textContent()) ?? '';
    expect(text.split(' ').length).toBeGreaterThan(30);
    expect(full.startsWith(text)).toBe(true);
    await expect(page.locator('[data-testid=message][data-role=assistant]')).toHaveCount(2);
    await expect(page.locator('[data-testid=message][data-role=assistant]').first()).toHaveAttribute('data-state', 'stopped');
  });
});
