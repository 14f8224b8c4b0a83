/**
 * Installing the app: the web app manifest that both pages link, Chromium's own installability check
 * (over CDP, as Lighthouse and DevTools' Application panel ask it), and the "Install app" button.
 */
import type { Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath } from '../../tools/chromium';
import { startStaticServer } from '../../tools/static-server';
import { expect, test } from './fixtures';

// About the service worker: it runs here (the chromium project blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

interface Manifest {
  start_url: string;
  scope: string;
  display: string;
  icons: { src: string; sizes: string; purpose?: string }[];
}

const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));

/**
 * Resolves once a service worker controls the page (Chromium's check wants its fetch handler) and the
 * page is isolated: on the static host that is after its one reload, so the check sees the final page.
 */
const controlled = (page: Page) => page.waitForFunction(() => navigator.serviceWorker.controller !== null && window.crossOriginIsolated);

test('Chromium finds the app installable at / and under a sub-path: no installability errors, a manifest with relative URLs and real 192/512/maskable icons on both pages', async ({ playwright, baseURL, request }) => {
  // A profile on disk: Playwright's usual contexts are off the record, where Chromium never installs ("in-incognito").
  const profile = await mkdtemp(join(tmpdir(), 'starling-install-'));
  const context = await playwright.chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  // The same build on a header-less host under /sub/dir/ (as GitHub Pages serves a project).
  const subPath = await startStaticServer({ root: dist, port: 0, base: '/sub/dir/' });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    for (const url of [`${baseURL ?? ''}/`, `${subPath.url}/sub/dir/`]) {
      await page.goto(url);
      await controlled(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
      expect(installabilityErrors, url).toEqual([]);
    }
  } finally {
    await context.close();
    await subPath.close();
    await rm(profile, { recursive: true, force: true });
  }

  for (const path of ['/', '/embed.html']) {
    const html = await (await request.get(path)).text();
    expect(html, path).toContain('<link rel="manifest" href="./manifest.webmanifest"');
  }
  const response = await request.get('/manifest.webmanifest');
  expect(response.headers()['content-type']).toMatch(/^application\/manifest\+json/);
  const manifest = (await response.json()) as Manifest;
  // Relative, so one build works under any sub-path (tests/e2e/deploy.spec.ts).
  expect(manifest).toMatchObject({ start_url: './', scope: './', display: 'standalone' });
  for (const icon of manifest.icons) {
    const bytes = await (await request.get(`/${icon.src}`)).body();
    const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)]; // the PNG's IHDR
    expect(`${w}x${h}`, icon.src).toBe(icon.sizes);
    expect(bytes.length, icon.src).toBeLessThan(50_000);
  }
  expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
});

test('the browser offering installation shows "Install app"; a click prompts, and an accepted install asks for persistent storage and says it was granted', async ({ page, baseURL }) => {
  await page.goto('/');
  await expect(page.getByTestId('model-status')).toBeVisible();
  await expect(page.getByTestId('install-button')).toHaveCount(0);
  // Headless Chromium refuses persist() unless granted (GUIDE §5); a user's install would be granted.
  const cdp = await page.context().newCDPSession(page);
  const { targetInfo } = (await cdp.send('Target.getTargetInfo')) as { targetInfo: { browserContextId?: string } };
  await cdp.send('Browser.setPermission', {
    permission: { name: 'persistent-storage' },
    setting: 'granted',
    origin: new URL(baseURL ?? '').origin,
    browserContextId: targetInfo.browserContextId,
  });

  // What Chromium fires when it would offer installation: a cancellable event with prompt() and userChoice.
  await page.evaluate(() => {
    const offer = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
      prompt: () => {
        (window as unknown as { __prompted: number }).__prompted = ((window as unknown as { __prompted?: number }).__prompted ?? 0) + 1;
        return Promise.resolve();
      },
      userChoice: Promise.resolve({ outcome: 'accepted', platform: 'web' }),
    });
    window.dispatchEvent(offer);
  });
  await page.getByTestId('install-button').click();
  expect(await page.evaluate(() => (window as unknown as { __prompted?: number }).__prompted)).toBe(1);
  await expect(page.getByTestId('install-button')).toHaveCount(0);
  await expect(page.getByTestId('install-status')).toHaveAttribute('data-persisted', 'true');
  await expect(page.getByTestId('install-status')).toContainText('cached models are kept');
  expect(await page.evaluate(() => navigator.storage.persisted())).toBe(true);
});
