/**
 * Updates without surprises (issue 13): build A is deployed and open; build B is deployed over it.
 * The page keeps running A and offers `update-banner`; only the user's Reload switches it to B.
 * B is A with a new build id in its pages and the precache manifest recomputed for them, exactly as
 * a rebuild would inject it (tools/vite-precache.ts), so sw.js changes and the browser sees an update.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { startStaticServer, type StaticServer } from '../../tools/static-server';
import { injectedManifestText } from '../../tools/vite-precache';
import { testModel } from '../fixtures/test-models';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// About the service worker: it runs here (the chromium project blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

const MiB = 1024 * 1024;

const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
let site: string;
let host: StaticServer;

test.beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), 'starling-update-'));
  await cp(dist, site, { recursive: true });
  host = await startStaticServer({ root: site, port: 0 });
});
test.afterAll(async () => {
  await host?.close();
  if (site) await rm(site, { recursive: true, force: true });
});

/** Deploys "build B" in place: new build id in both pages, and sw.js with the manifest re-injected. */
async function deployBuildB(buildId: string): Promise<void> {
  const before = await injectedManifestText(site);
  for (const page of ['index.html', 'embed.html']) {
    const file = join(site, page);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/data-build-id="[^"]*"/, `data-build-id="${buildId}"`));
  }
  const after = await injectedManifestText(site);
  const sw = await readFile(join(site, 'sw.js'), 'utf8');
  expect(sw.includes(before), 'sw.js holds the manifest Workbox computes for build A').toBe(true);
  expect(after).not.toBe(before);
  await writeFile(join(site, 'sw.js'), sw.replace(before, after));
}

const buildId = (page: import('@playwright/test').Page) => page.evaluate(() => document.documentElement.dataset.buildId);

test('a new deployment is announced, the page keeps running the old one, and Reload switches to the new one', async ({ page, modelServer }) => {
  // 1 MiB chunks, one at a time: a held-back chunk keeps a download running for a while (below).
  await page.goto(`${host.url}/?chunk=${MiB}&parallel=1`);
  await waitForReady(page);
  const a = await buildId(page);
  expect(a).toBeTruthy();
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');
  await expect(page.getByTestId('update-banner')).toHaveCount(0);

  await deployBuildB('build-B');
  await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
  const banner = page.getByTestId('update-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('A new version is ready');

  // Still A, under A's worker, and it still chats: nothing switched behind the user's back.
  expect(await buildId(page)).toBe(a);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).waiting?.state)).toBe('installed');
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await page.waitForTimeout(300);
  expect(await buildId(page)).toBe(a);

  // While a model downloads, Reload waits: switching now would cut the download off.
  const { file } = testModel('demoOldTemplate');
  modelServer.faults.push({ kind: 'delay', file, start: 2 * MiB, times: 1, ms: 3000 });
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('model-url-input').fill(`${modelServer.url}/models/${file}`);
  await page.getByTestId('model-open-button').click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'downloading');
  await expect(banner.getByRole('button', { name: 'Reload' })).toBeDisabled();
  await expect(banner).toHaveAttribute('data-busy', 'true');
  await waitForReady(page);
  await expect(banner.getByRole('button', { name: 'Reload' })).toBeEnabled();
  expect(await buildId(page)).toBe(a);

  const reloaded = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await banner.getByRole('button', { name: 'Reload' }).click();
  await reloaded;
  await waitForReady(page);
  expect(await buildId(page)).toBe('build-B');
  await expect(page.getByTestId('update-banner')).toHaveCount(0);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).waiting)).toBeNull();
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
});
