/**
 * Storage that the browser blocks. In a cross-site iframe with third-party storage blocked, merely
 * reading `localStorage`, `sessionStorage` or `indexedDB` throws a SecurityError (so does
 * `navigator.serviceWorker` in a sandboxed frame). An init script makes those getters throw the same
 * way, before any app code runs; the app must still start with defaults, say what will not be kept,
 * and chat.
 */
import type { Page } from '@playwright/test';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { cacheEntriesFor, expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

type Blocked = 'localStorage' | 'sessionStorage' | 'indexedDB' | 'serviceWorker';

/** Makes each named getter throw a SecurityError, as Chromium does for a document denied storage. */
async function blockStorage(page: Page, names: Blocked[]): Promise<void> {
  await page.addInitScript((names: string[]) => {
    for (const name of names) {
      const owner = name === 'serviceWorker' ? Navigator.prototype : window;
      const deny = () => {
        throw new DOMException(`Failed to read the '${name}' property: Access is denied for this document.`, 'SecurityError');
      };
      Object.defineProperty(owner, name, { get: deny, configurable: true });
      if (owner === window) Object.defineProperty(Window.prototype, name, { get: deny, configurable: true });
    }
  }, names);
}

async function chatWorks(page: Page): Promise<void> {
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
}

test.describe('with storage blocked', () => {
  test('the widget starts with localStorage and sessionStorage blocked, says settings are not kept, and chats', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await blockStorage(page, ['localStorage', 'sessionStorage', 'serviceWorker']);
    await page.goto('/embed.html?threads=1');
    // The block is in force in the page (the scenario is real), yet the chat UI is there.
    const access = await page.evaluate(() => {
      try {
        return typeof localStorage;
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(access).toBe('SecurityError');
    await expect(page.getByTestId('chat-input')).toBeVisible();
    const notice = page.getByTestId('storage-notice');
    await expect(notice).toBeVisible();
    await expect(notice).toHaveAttribute('data-blocked', 'settings');
    await expect(notice).toContainText('This browser blocks storage for this site: settings will not be kept after this page closes.');
    await waitForReady(page);
    await chatWorks(page);
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('with IndexedDB blocked too, the demo model loads straight from the network, is not cached, and chats', async ({ page, context }) => {
    await blockStorage(page, ['localStorage', 'sessionStorage', 'indexedDB']);
    await page.goto('/?threads=1');
    await expect(page.getByTestId('chat-input')).toBeVisible();
    const notice = page.getByTestId('storage-notice');
    await expect(notice).toHaveAttribute('data-blocked', 'settings models');
    await expect(notice).toContainText('settings and downloaded models will not be kept after this page closes');
    await waitForReady(page);
    await chatWorks(page);

    // Nothing went into the cache: look from a page of the same site that may use IndexedDB.
    const demoId = new URL('/models/starling-playground-demo.Q8_0.gguf', page.url()).href;
    const witness = await context.newPage();
    await witness.goto('/favicon.svg');
    expect(await cacheEntriesFor(witness, demoId)).toBe(0);
    await witness.close();
  });
});
