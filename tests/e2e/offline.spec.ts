/**
 * Offline after one online visit (issue 13): the service worker's precache serves the app shell,
 * IndexedDB the model. Served by a plain static host (tools/static-server.ts: no COOP/COEP, like
 * GitHub Pages), so the precached pages must also carry the isolation headers the worker adds.
 */
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { startStaticServer, type StaticServer } from '../../tools/static-server';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// About the service worker: it runs here (the chromium project blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
const DEMO_PATH = `models/${MODELS.demo.file}`;
let host: StaticServer;

test.beforeAll(async () => {
  host = await startStaticServer({ root: dist, port: 0 });
});
test.afterAll(async () => {
  await host?.close();
});

async function expectDemoReply(page: Page): Promise<void> {
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
}

/** What a page-side fetch of a URL got: its status and whether the worker answered, or the error. */
async function pageFetch(page: Page, url: string, range?: string): Promise<{ status: number; fromWorker: boolean } | { error: string }> {
  const response = page.waitForEvent('response', (r) => r.url() === url).catch(() => null);
  const result = await page.evaluate(
    async ({ url, range }) => {
      try {
        const r = await fetch(url, { headers: range ? { Range: range } : {}, cache: 'no-store' });
        await r.arrayBuffer();
        return { status: r.status };
      } catch (e) {
        return { error: String(e) };
      }
    },
    { url, range },
  );
  if (result.error !== undefined) return { error: result.error };
  return { status: result.status ?? 0, fromWorker: (await response)?.fromServiceWorker() ?? false };
}

test('after one online visit, / and /embed.html load from the service worker and chat offline; Range and cross-origin requests are never answered by it', async ({ page, context, modelServer }) => {
  await page.goto(`${host.url}/`);
  await waitForReady(page);
  await expectDemoReply(page);
  // The worker that isolated the page (the first visit's one reload) has finished precaching by now:
  // installation, which fills the precache, comes before activation and control.
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');

  await test.step('online: a Range request and a cross-origin URL go to the network, not through the worker', async () => {
    expect(await pageFetch(page, `${host.url}/${DEMO_PATH}`, 'bytes=0-3')).toEqual({ status: 206, fromWorker: false });
    expect(await pageFetch(page, `${modelServer.url}/models/${MODELS.demo.file}`)).toEqual({ status: 200, fromWorker: false });
    // Control: a plain same-origin GET is answered by the worker (from its precache).
    expect(await pageFetch(page, `${host.url}/${DEMO_PATH}`)).toEqual({ status: 200, fromWorker: true });
  });

  await context.setOffline(true);
  const started = Date.now();
  const reloaded = await page.reload();
  await waitForReady(page);
  console.log(`[offline] reload to Ready with no network: ${Date.now() - started} ms`);
  expect(reloaded?.fromServiceWorker()).toBe(true);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  await expectDemoReply(page);

  await test.step('offline: the demo model is precached, yet a Range request for it fails rather than being served from the cache', async () => {
    expect(await pageFetch(page, `${host.url}/${DEMO_PATH}`)).toEqual({ status: 200, fromWorker: true });
    expect(await pageFetch(page, `${host.url}/${DEMO_PATH}`, 'bytes=0-3')).toEqual({ error: expect.stringMatching(/TypeError|Failed to fetch/) });
  });

  await test.step('offline: the widget page loads and chats too', async () => {
    const embed = await page.goto(`${host.url}/embed.html`);
    expect(embed?.fromServiceWorker()).toBe(true);
    await waitForReady(page);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await expectDemoReply(page);
  });

  await test.step('the worker cache holds no model file but the demo', async () => {
    const keys = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
      return urls;
    });
    expect(keys.some((u) => u.includes('.wasm'))).toBe(true);
    expect(keys.filter((u) => /\.gguf\b/.test(u)).map((u) => new URL(u).pathname)).toEqual([`/${DEMO_PATH}`]);
  });
});
