/**
 * embed.js, the embed snippet, as a host page uses it: a page on another origin (the host-site
 * fixture: no COOP/COEP, no CSP) includes `<script src="<app>/embed.js">`, mounts the real widget
 * from the built app and drives the real model through the snippet's API.
 */
import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'vite';
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { startHostSite, type HostSite } from '../fixtures/host-site';
import type { RunResult, Widget } from '../../web/src/embed-snippet/starling-embed';
import { expect, test } from './fixtures';

const dist = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));

/** What the host pages below keep on `window` for the test to read. */
type HostWindow = Window & { w: Widget; early: Promise<RunResult>; infoAtEarlyRun: unknown; forgedEarly: string[]; resizes: number[]; globalsBefore: string[] };

let host: HostSite;
test.beforeAll(async () => {
  host = await startHostSite();
});
test.afterAll(async () => {
  await host?.close();
});

/** A host page that includes embed.js from the app and runs `script` after it. */
function hostPage(path: string, app: string, script: string): string {
  return host.page(
    path,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host site</title></head><body>
<h1>A host site</h1><div id="w"></div>
<script>window.globalsBefore = Object.getOwnPropertyNames(window);</script>
<script src="${app}/embed.js"></script>
<script>${script}</script>
</body></html>`,
  );
}

const frame = (page: Page) => page.locator('#w iframe');

/** The frame's height is the last one the widget reported (polled: a later report may be on its way). */
async function expectFrameAtReportedHeight(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const { w, resizes } = window as unknown as HostWindow;
        return resizes.length > 0 && w.frame.getBoundingClientRect().height === Math.ceil(resizes.at(-1)!);
      }),
    )
    .toBe(true);
}

test('dist/embed.js is one classic script: no import or export statement, and it adds only Starling to the page', async ({ page, baseURL }) => {
  const code = await readFile(`${dist}/embed.js`, 'utf8');
  expect(parseSync('embed.js', code, { sourceType: 'script', lang: 'js' }).errors).toEqual([]);
  expect(code).not.toMatch(/(^|[;}\s])(import|export)\s*[{*\w"'`(]/);
  expect(await readFile(`${dist}/embed.d.ts`, 'utf8')).toContain('export interface Widget');

  await page.goto(hostPage('/globals.html', baseURL!, ''));
  const added = await page.evaluate(() => Object.getOwnPropertyNames(window).filter((name) => !(window as unknown as HostWindow).globalsBefore.includes(name) && name !== 'globalsBefore'));
  expect(added).toEqual(['Starling']);
});

test('mounts the widget from another origin: isolation allowed, parent= the host, resized, ready, a queued run answered, a streamed run equal to its result', async ({ page, baseURL }) => {
  const url = hostPage(
    '/host.html',
    baseURL!,
    `window.resizes = [];
window.w = Starling.mount('#w', { title: 'Ask Starling', height: 123 });
w.on('resize', ({ height }) => resizes.push(height));
// Made at once, long before the model is ready: embed.js must hold it until starling:ready.
window.infoAtEarlyRun = w.info;
window.early = w.run({ prompt: 'Hello' });
// A message this page posts to itself looks like the widget's but is not from its frame: ignored.
window.forgedEarly = [];
w.on('ready', (info) => forgedEarly.push(info.model));
window.postMessage({ type: 'starling:ready', model: 'forged', backend: 'cpu', threads: 1, ctx: 1 }, '*');`,
  );
  await page.goto(url);

  const iframe = frame(page);
  await expect(iframe).toHaveAttribute('allow', 'cross-origin-isolated');
  await expect(iframe).toHaveAttribute('title', 'Ask Starling');
  const src = new URL((await iframe.getAttribute('src'))!);
  expect(src.origin + src.pathname).toBe(`${baseURL}/embed.html`);
  expect(src.searchParams.get('parent')).toBe(host.url);

  const info = await page.evaluate(() => (window as unknown as HostWindow).w.ready);
  expect(info).toEqual({ model: expect.any(String), backend: 'cpu', threads: expect.any(Number), ctx: expect.any(Number) });
  expect(info.threads).toBeGreaterThanOrEqual(1);
  expect(info.ctx).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as HostWindow).w.info)).toEqual(info);
  expect(await page.evaluate(() => (window as unknown as HostWindow).forgedEarly)).toEqual([info.model]);

  const early = await page.evaluate(() => (window as unknown as HostWindow).early);
  expect(await page.evaluate(() => (window as unknown as HostWindow).infoAtEarlyRun)).toBeNull();
  expect(early.response).toBe(DEMO_REPLY);

  // The frame takes the height the widget reports (mounted at 123 px, which its content never is).
  await expectFrameAtReportedHeight(page);
  const firstHeight = await page.evaluate(() => (window as unknown as HostWindow).resizes.at(-1)!);
  expect(firstHeight).not.toBe(123);

  const streamed = await page.evaluate(async () => {
    const run = (window as unknown as HostWindow).w.run({ prompt: 'Hello', stream: true });
    const pieces: string[] = [];
    for await (const piece of run) pieces.push(piece);
    return { pieces, result: await run };
  });
  expect(streamed.pieces.length).toBeGreaterThan(1);
  expect(streamed.pieces.join('')).toBe(streamed.result.response);
  expect(streamed.result.response).toBe(DEMO_REPLY);
  expect(streamed.result.finish_reason).toBe('stop');
  const { prompt_tokens, completion_tokens, total_tokens } = streamed.result.usage;
  expect(prompt_tokens).toBeGreaterThan(0);
  expect(completion_tokens).toBeGreaterThan(1);
  expect(total_tokens).toBe(prompt_tokens + completion_tokens);

  // The runs' messages show in the widget's chat: it grew, and the frame with it.
  await expect.poll(() => page.evaluate(() => (window as unknown as HostWindow).resizes.at(-1)!)).toBeGreaterThan(firstHeight);
  await expectFrameAtReportedHeight(page);

  const ids = await page.evaluate(() => (window as unknown as HostWindow).w.tokenize('Hello'));
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.every((id) => Number.isInteger(id))).toBe(true);

  // Bad input comes back as an error with its kind and field, through both ways of using a run.
  const bad = await page.evaluate(async () => {
    const run = (window as unknown as HostWindow).w.run({ prompt: 'Hello', temperature: 9, stream: true });
    const iterated = await (async () => {
      try {
        for await (const _ of run) void _;
        return null;
      } catch (e) {
        return { kind: (e as { kind: string }).kind, field: (e as { field?: string }).field };
      }
    })();
    const awaited = await run.then(() => null, (e: { kind: string; field?: string; name: string }) => ({ kind: e.kind, field: e.field, name: e.name }));
    return { iterated, awaited };
  });
  expect(bad).toEqual({ iterated: { kind: 'invalid-input', field: 'temperature' }, awaited: { kind: 'invalid-input', field: 'temperature', name: 'StarlingError' } });

  await page.evaluate(() => (window as unknown as HostWindow).w.destroy());
  await expect(iframe).toHaveCount(0);
});

test('cancel stops a streaming run: it resolves cancelled with a part of the reply, and the next run works', async ({ page, baseURL, modelServer }) => {
  const model = `${modelServer.url}/models/${MODELS.long.file}`;
  await page.goto(hostPage('/cancel.html', baseURL!, `window.w = Starling.mount('#w', { model: ${JSON.stringify(model)} });`));
  const out = await page.evaluate(async () => {
    const { w } = (window as unknown as HostWindow);
    await w.ready;
    const run = w.run({ prompt: 'Tell me everything', stream: true, max_tokens: 400 });
    const pieces: string[] = [];
    for await (const piece of run) {
      pieces.push(piece);
      if (pieces.length === 10) run.cancel();
    }
    const next = await w.run({ prompt: 'Again', max_tokens: 8 });
    return { pieces, result: await run, next };
  });
  expect(out.result.finish_reason).toBe('cancelled');
  expect(out.result.response).toBe(out.pieces.join(''));
  expect(out.result.response.length).toBeLessThan(MODELS.long.reply.length);
  expect(MODELS.long.reply.startsWith(out.result.response)).toBe(true);
  expect(out.next.finish_reason).toBe('length');
  expect(MODELS.long.reply.startsWith(out.next.response)).toBe(true);
});

test("ui: 'none' mounts a hidden frame that draws nothing on the page and still answers", async ({ page, baseURL }) => {
  await page.goto(hostPage('/hidden.html', baseURL!, `window.w = Starling.mount('#w', { ui: 'none' });`));
  const iframe = frame(page);
  await expect(iframe).toHaveAttribute('aria-hidden', 'true');
  expect(new URL((await iframe.getAttribute('src'))!).searchParams.get('ui')).toBe('none');
  await expect(iframe).toBeHidden();
  const box = await iframe.boundingBox();
  expect((box?.width ?? 0) * (box?.height ?? 0)).toBe(0);

  const result = await page.evaluate(async () => {
    const { w } = (window as unknown as HostWindow);
    await w.ready;
    return w.run({ messages: [{ role: 'user', content: 'Hello' }] });
  });
  expect(result.response).toBe(DEMO_REPLY);
  await expect(iframe).toBeHidden(); // a starling:resize does not show it
});

test('maxHeight caps the frame: a conversation taller than it scrolls inside', async ({ page, baseURL }) => {
  await page.goto(hostPage('/capped.html', baseURL!, `window.resizes = []; window.w = Starling.mount('#w', { maxHeight: 300 }); w.on('resize', ({ height }) => resizes.push(height));`));
  await page.evaluate(async () => {
    const { w } = window as unknown as HostWindow;
    await w.ready;
    await w.run({ prompt: 'Hello' });
  });
  // The widget's content is now taller than 300 px (checked), and the frame stops at 300.
  await expect.poll(() => page.evaluate(() => (window as unknown as HostWindow).resizes.at(-1) ?? 0)).toBeGreaterThan(300);
  await expect.poll(() => frame(page).evaluate((f) => f.getBoundingClientRect().height)).toBe(300);
  const widget = page.frameLocator('#w iframe');
  await expect(widget.getByTestId('chat-input')).toBeInViewport();
  expect(await widget.locator('main').evaluate((m) => m.scrollHeight > m.clientHeight)).toBe(true);
});
