/**
 * Cross-origin isolation through the app's service worker (web/src/sw/), on a static host that sends
 * no COOP/COEP headers (tools/static-server.ts serving dist/, like GitHub Pages), and on the
 * header-serving preview server the rest of the suite uses (baseURL).
 */
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { startStaticServer, type StaticServer } from '../../tools/static-server';
import { contentSecurityPolicy, policyForPath } from '../../web/src/sw/security-headers';
import { startHostSite } from '../fixtures/host-site';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// About the service worker: it runs here (the chromium project blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });

// Thread counts here must come from the page's isolation, not from a saved preference.
test.use({ threadsPref: null });

// The build under test: E2E_DIST when set (as the preview server in playwright.config.ts uses), else dist/.
const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
let host: StaticServer;

test.beforeAll(async () => {
  host = await startStaticServer({ root: dist, port: 0 });
});
test.afterAll(async () => {
  await host?.close();
});

/** Counts the page's main-frame navigations (the first load, and every reload). */
function countNavigations(page: Page): { readonly count: number } {
  const counter = { count: 0 };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) counter.count++;
  });
  return counter;
}

const isolation = (page: Page) =>
  page.evaluate(() => ({
    crossOriginIsolated: window.crossOriginIsolated,
    state: (window as unknown as { __isolation?: { isolated: boolean; via: string; reason: string } }).__isolation,
    attribute: document.documentElement.dataset.isolation,
    controlled: navigator.serviceWorker.controller !== null,
  }));

async function replyStats(page: Page) {
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
  return page.getByTestId('gen-stats');
}

test.describe('cross-origin isolation on a static host, through the service worker', () => {
  test('the static host sends no isolation headers, and serves sw.js as JavaScript', async ({ request }) => {
    const page = await request.get(`${host.url}/`);
    expect(page.status()).toBe(200);
    for (const h of ['cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy']) expect(page.headers()[h]).toBeUndefined();
    const sw = await request.get(`${host.url}/sw.js`);
    expect(sw.headers()['content-type']).toMatch(/^text\/javascript/);
    const body = await sw.text();
    expect(body).not.toMatch(/^\s*import\b|\bimport\s*\(|^\s*export\b/m); // one self-contained classic script
  });

  test('a first visit reloads once, comes back isolated and generates on 2 threads; a reload does not reload again', async ({ page }) => {
    const navigations = countNavigations(page);
    await page.goto(`${host.url}/?threads=2`);
    await waitForReady(page);
    const first = await isolation(page);
    expect(first.crossOriginIsolated).toBe(true);
    expect(first.controlled).toBe(true);
    expect(first.state).toMatchObject({ isolated: true, via: 'service-worker' });
    expect(first.attribute).toBe('service-worker');
    expect(navigations.count).toBeLessThanOrEqual(2);
    expect(navigations.count).toBe(2); // a fresh context: the initial load and exactly one reload
    await expect(await replyStats(page)).toHaveAttribute('data-threads', '2');

    const before = navigations.count;
    await page.reload();
    await waitForReady(page);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await page.waitForTimeout(500); // a reload planned by the page would have started by now
    expect(navigations.count).toBe(before + 1);
  });

  test('the widget framed by a plain host page: its first visit reloads the frame once, and the worker’s Document-Isolation-Policy isolates it (2 threads)', async ({ page }) => {
    const site = await startHostSite();
    try {
      const widget = `${host.url}/embed.html?threads=2`;
      await page.goto(site.page('/host.html', `<!doctype html><title>host</title><iframe id="w" src="${widget}" width="420" height="520" allow="cross-origin-isolated"></iframe>`));
      const frame = page.frameLocator('#w');
      await expect(frame.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
      const inFrame = page.frames().find((f) => f.url().startsWith(widget))!;
      expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(false);
      expect(await inFrame.evaluate(() => ({ isolated: window.crossOriginIsolated, controlled: navigator.serviceWorker.controller !== null }))).toEqual({ isolated: true, controlled: true });
      await frame.getByTestId('chat-input').fill('Hello');
      await frame.getByTestId('send-button').click();
      const reply = frame.locator('[data-testid=message][data-role=assistant]').last();
      await expect(reply).toHaveAttribute('data-state', 'done');
      await expect(frame.getByTestId('gen-stats')).toHaveAttribute('data-threads', '2');
    } finally {
      await site.close();
    }
  });

  test('once the worker controls the page, the static host serves the security headers npm start sends, and the app runs under them', async ({ page, request }) => {
    const violations: string[] = [];
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.warn(`csp-violation ${e.effectiveDirective} ${e.blockedURI}`));
    });
    page.on('console', (m) => {
      if (m.text().startsWith('csp-violation') || /Content.Security.Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${host.url}/?threads=1`);
    await waitForReady(page);
    expect((await isolation(page)).controlled).toBe(true);
    const names = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options', 'cross-origin-opener-policy', 'cross-origin-embedder-policy'];
    const pick = (h: Record<string, string>) => Object.fromEntries(names.map((n) => [n, h[n] ?? null]));
    for (const path of ['/', '/embed.html', '/sw.js']) {
      // The static host itself sends none of them (a plain static host cannot).
      expect(pick((await request.get(`${host.url}${path}`)).headers())['content-security-policy']).toBeNull();
      const viaWorker = await page.evaluate(async (p) => Object.fromEntries((await fetch(p)).headers.entries()), path);
      const fromNpmStart = (await request.get(path)).headers();
      expect(pick(viaWorker)).toEqual(pick(fromNpmStart));
      expect(viaWorker['content-security-policy']).toBe(contentSecurityPolicy(policyForPath(path)));
    }
    // The document itself came through the worker with the app's policy.
    const reloaded = await page.reload();
    expect(reloaded!.fromServiceWorker()).toBe(true);
    expect((await reloaded!.allHeaders())['content-security-policy']).toBe(contentSecurityPolicy('app'));
    await waitForReady(page);
    await replyStats(page);
    expect(violations).toEqual([]);
  });

  test('the embed page is isolated the same way', async ({ page }) => {
    const navigations = countNavigations(page);
    await page.goto(`${host.url}/embed.html?threads=2`);
    await waitForReady(page);
    expect((await isolation(page)).crossOriginIsolated).toBe(true);
    expect(navigations.count).toBe(2);
  });

  test('cross-origin model downloads bypass the worker', async ({ page, modelServer }) => {
    const fromWorker: boolean[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(modelServer.url)) fromWorker.push(r.fromServiceWorker());
    });
    await page.goto(`${host.url}/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.demo.file}`)}`);
    await waitForReady(page);
    expect((await isolation(page)).crossOriginIsolated).toBe(true);
    expect(modelServer.gets(MODELS.demo.file).length).toBeGreaterThan(0);
    expect(fromWorker.length).toBeGreaterThan(0);
    expect(fromWorker.every((f) => !f)).toBe(true);
  });

  test('?sw=0 runs without the worker: not isolated, one navigation, and the app still answers on 1 thread', async ({ page }) => {
    const navigations = countNavigations(page);
    await page.goto(`${host.url}/?sw=0&threads=2`);
    await waitForReady(page);
    const state = await isolation(page);
    expect(state.crossOriginIsolated).toBe(false);
    expect(state.controlled).toBe(false);
    expect(state.state).toMatchObject({ isolated: false, via: 'none' });
    expect(state.state?.reason).toMatch(/\?sw=0/);
    expect(state.attribute).toBe('none');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    await expect(await replyStats(page)).toHaveAttribute('data-threads', '1');
    expect(navigations.count).toBe(1);
  });
});

test.describe('with COOP/COEP headers from the server', () => {
  test('the worker registers but never reloads the page', async ({ page }) => {
    const navigations = countNavigations(page);
    await page.goto('/?threads=2');
    await waitForReady(page);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toMatch(/\/sw\.js$/);
    await page.waitForTimeout(500);
    const state = await isolation(page);
    expect(state.crossOriginIsolated).toBe(true);
    expect(state.state).toMatchObject({ isolated: true, via: 'headers' });
    expect(navigations.count).toBe(1);

    // Controlled by the worker now: the headers stay the server's, and still no extra reload.
    await page.reload();
    await waitForReady(page);
    const again = await isolation(page);
    expect(again.controlled).toBe(true);
    expect(again.state).toMatchObject({ isolated: true, via: 'headers' });
    await page.waitForTimeout(500);
    expect(navigations.count).toBe(2);
  });
});
