/**
 * The embed demo (embed-demo.html) as it is meant to be used: served by another server (another
 * origin, a plain static host: no COOP/COEP, no CSP) and loading embed.js from the app with
 * `?app=`; and from the app itself, under the app's CSP (no inline script).
 */
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { startStaticServer, type StaticServer } from '../../tools/static-server';
import { expect, test } from './fixtures';

const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
let other: StaticServer;

test.beforeAll(async () => {
  other = await startStaticServer({ root: dist, port: 0 });
});
test.afterAll(async () => {
  await other?.close();
});

/** The demo shows a chat a person can use, and its Summarise button streams the reply in. */
async function demoWorks(page: Page, appOrigin: string): Promise<void> {
  const chat = page.getByTestId('demo-chat').locator('iframe');
  await expect(chat).toBeVisible();
  expect(new URL((await chat.getAttribute('src'))!).origin).toBe(appOrigin);
  expect((await chat.boundingBox())!.height).toBeGreaterThan(100);
  const widget = page.frameLocator('[data-testid=demo-chat] iframe');
  await expect(widget.getByTestId('chat-input')).toBeVisible();
  await expect(widget.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

  await expect(page.getByTestId('demo-model-status')).toContainText('Ready', { timeout: 60_000 });
  const output = page.getByTestId('summary-output');
  // Every distinct text the output shows, to see it grow piece by piece.
  await output.evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => void (seen.at(-1) !== el.textContent && seen.push(el.textContent ?? ''))).observe(el, { childList: true, characterData: true, subtree: true });
  });
  await page.getByTestId('summarise-button').click();
  await expect(output).toHaveAttribute('data-state', 'done');
  await expect(output).toHaveText(DEMO_REPLY);
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.filter((s) => s !== ''));
  expect(seen.length).toBeGreaterThan(1);
  for (const s of seen) expect(DEMO_REPLY.startsWith(s)).toBe(true);
}

test('served by another server, the demo loads embed.js from ?app=, shows a chat, and Summarise streams the reply', async ({ page, baseURL }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${other.url}/embed-demo.html?app=${encodeURIComponent(baseURL!)}`);
  await expect(page.getByTestId('demo-app')).toHaveText(`${baseURL}/`);
  await demoWorks(page, baseURL!);
  expect(errors).toEqual([]);
});

test("served by the app itself, the demo runs under the app's CSP (no inline script) and works the same", async ({ page, baseURL }) => {
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  await page.goto('/embed-demo.html');
  await demoWorks(page, baseURL!);
  expect(blocked).toEqual([]);
});
