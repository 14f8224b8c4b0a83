/**
 * Security headers as `npm start` (vite preview, the e2e server) sends them, and what they do in a
 * real browser: the app runs under its Content-Security-Policy without a single violation, other
 * sites cannot frame the app but can frame the widget, and a remote image cannot load.
 */
import type { APIResponse, Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { contentSecurityPolicy } from '../../web/src/sw/security-headers';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

/** A second local site (another port = another origin): host pages that frame the app, and an image. */
interface OtherSite {
  url: string;
  /** Paths it was asked for. */
  hits: string[];
  close(): Promise<void>;
}

async function startOtherSite(appOrigin: string): Promise<OtherSite> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(path);
    if (path === '/pixel.png') {
      // 1x1 transparent PNG: it would render if the policy let it load.
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
      res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' }).end(png);
      return;
    }
    const target = path === '/frame-app' ? '/?threads=1' : path === '/frame-embed' ? '/embed.html?threads=1' : null;
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><title>host</title><h1>another site</h1><iframe id="app" width="800" height="600" src="${appOrigin}${target}"></iframe>`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Records every `securitypolicyviolation` in the page's documents (from before the first script runs). */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: { directive: string; blocked: string }[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: { directive: string; blocked: string }[] }).__violations);

function expectAppHeaders(r: APIResponse, policy: 'app' | 'embed'): void {
  const h = r.headers();
  expect(r.status()).toBe(200);
  expect(h['content-security-policy']).toBe(contentSecurityPolicy(policy));
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['referrer-policy']).toBe('no-referrer');
  expect(h['cross-origin-opener-policy']).toBe('same-origin');
  expect(h['cross-origin-embedder-policy']).toBe('require-corp');
  if (policy === 'app') expect(h['x-frame-options']).toBe('SAMEORIGIN');
  else expect(h['x-frame-options']).toBeUndefined();
}

let other: OtherSite;
test.beforeAll(async ({ baseURL }) => {
  other = await startOtherSite(baseURL!);
});
test.afterAll(async () => {
  await other?.close();
});

test.describe('security headers from npm start', () => {
  test('the app, the widget page, a script and the worker scripts carry the policy, nosniff and the referrer policy', async ({ request }) => {
    const index = await request.get('/');
    expectAppHeaders(index, 'app');
    const html = await index.text();
    // No inline script: every <script> has a src (an inline one would need 'unsafe-inline').
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy"');
    expectAppHeaders(await request.get('/embed.html'), 'embed');

    const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(entry).toBeTruthy();
    const script = await request.get(entry!);
    expectAppHeaders(script, 'app');
    expect(script.headers()['content-type']).toMatch(/^text\/javascript/);

    // The worker scripts are named in the app chunk that index.html preloads.
    const chunks = [...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    const code = (await Promise.all(chunks.map(async (c) => (await request.get(c)).text()))).join('\n');
    const workers = [...new Set(code.match(/(?:engine|download)\.worker-[\w-]+\.js/g) ?? [])];
    expect(workers.length).toBe(2);
    for (const w of workers) expectAppHeaders(await request.get(`/assets/${w}`), 'app');
    expectAppHeaders(await request.get('/sw.js'), 'app');
  });

  test('the app loads and chats under its policy without a single violation', async ({ page }) => {
    await recordViolations(page);
    const consoleCsp: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) consoleCsp.push(m.text());
    });
    const navigation = await page.goto('/?threads=1');
    expect((await navigation!.allHeaders())['content-security-policy']).toBe(contentSecurityPolicy('app'));
    await waitForReady(page);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
    expect(await violations(page)).toEqual([]);
    expect(consoleCsp).toEqual([]);
  });

  test('a remote image (as a model reply could name in markdown) is blocked by img-src', async ({ page }) => {
    await recordViolations(page);
    await page.goto('/?threads=1');
    await expect(page.getByTestId('chat-input')).toBeVisible();
    // The markdown sanitizer removes <img> already; this is the layer behind it, so the image is
    // put into the page directly, as a sanitizer bug would let it through.
    const loaded = await page.evaluate(
      (src) =>
        new Promise<boolean>((resolve) => {
          const img = document.createElement('img');
          img.onload = () => resolve(true);
          img.onerror = () => resolve(false);
          img.src = src;
          document.querySelector('main')?.append(img);
        }),
      `${other.url}/pixel.png`,
    );
    expect(loaded).toBe(false);
    expect(await violations(page)).toContainEqual({ directive: 'img-src', blocked: `${other.url}/pixel.png` });
    expect(other.hits).not.toContain('/pixel.png');
  });

  test('another site cannot frame the app', async ({ page }) => {
    await page.goto(`${other.url}/frame-app`);
    const frame = page.frameLocator('#app');
    // The refused frame shows the browser's error page; wait for it to have navigated there.
    await expect
      .poll(() => page.frames().find((f) => f !== page.mainFrame())?.url() ?? '', { timeout: 30_000 })
      .toMatch(/^chrome-error:/);
    await expect(frame.getByTestId('chat-input')).toHaveCount(0);
    await expect(frame.getByTestId('model-status')).toHaveCount(0);
  });

  test('another site can frame the widget page, which renders and loads the model', async ({ page }) => {
    const widget = page.waitForResponse((r) => new URL(r.url()).pathname === '/embed.html');
    await page.goto(`${other.url}/frame-embed`);
    // It runs under its own policy: the app's, without frame-ancestors.
    expect((await (await widget).allHeaders())['content-security-policy']).toBe(contentSecurityPolicy('embed'));
    const frame = page.frameLocator('#app');
    await expect(frame.getByTestId('chat-input')).toBeVisible();
    await expect(frame.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  });
});
