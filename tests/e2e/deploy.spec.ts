/**
 * Deploying dist/ as it is to a sub-path of a plain static host, as GitHub Pages serves a project at
 * `/<repo>/`: no COOP/COEP or security headers, and nothing outside the sub-path (a 404 there), so an
 * absolute `/assets/...` URL or a worker registered at the root would fail here.
 */
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { startStaticServer, type StaticServer } from '../../tools/static-server';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// About the service worker: it runs here (the chromium project blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
const BASE = '/sub/dir/';
let host: StaticServer;

test.beforeAll(async () => {
  host = await startStaticServer({ root: dist, port: 0, base: BASE });
});
test.afterAll(async () => {
  await host?.close();
});

/**
 * Every response of 400 and above, and every request that failed, as "status url". Aborted ones are
 * left out: the downloader cancels its own probe of the model once it has the headers.
 */
function recordFailures(page: Page): string[] {
  const failures: string[] = [];
  page.on('response', (r) => {
    // The widget asks for the deployer's optional embed-config.json; without one, 404 means "no restrictions".
    if (r.status() === 404 && r.url().endsWith('/embed-config.json')) return;
    if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText ?? '';
    if (error !== 'net::ERR_ABORTED') failures.push(`failed ${r.url()} (${error})`);
  });
  return failures;
}

async function chatsWithDemo(page: Page): Promise<void> {
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
}

const isolation = (page: Page) =>
  page.evaluate(async () => ({
    crossOriginIsolated: window.crossOriginIsolated,
    via: (window as unknown as { __isolation?: { via: string } }).__isolation?.via,
    attribute: document.documentElement.dataset.isolation,
    scope: (await navigator.serviceWorker.getRegistration())?.scope,
  }));

test('dist/ under /sub/dir/ on a header-less host loads with no 404, is isolated by its service worker and chats; so does embed.html', async ({ page, request }) => {
  // The host is as strict as Pages: outside the sub-path there is nothing.
  expect((await request.get(`${host.url}/index.html`)).status()).toBe(404);
  expect((await request.get(`${host.url}${BASE}`)).headers()['cross-origin-opener-policy']).toBeUndefined();

  const failures = recordFailures(page);
  await page.goto(`${host.url}${BASE}`);
  await chatsWithDemo(page);
  expect(await isolation(page)).toEqual({ crossOriginIsolated: true, via: 'service-worker', attribute: 'service-worker', scope: `${host.url}${BASE}` });

  await page.goto(`${host.url}${BASE}embed.html`);
  await chatsWithDemo(page);
  expect(await isolation(page)).toMatchObject({ crossOriginIsolated: true, via: 'service-worker' });
  expect(failures).toEqual([]);
});
