/**
 * The widget's compact UI (/embed.html): from a 300 × 360 px frame up nothing overflows sideways or
 * overlaps, the composer stays in view and the demo model answers; theme= and accent= change its
 * colours, ui=none draws no chat while the model still loads, a bad parameter shows the notice, and a
 * frame that is not cross-origin isolated says it runs on one thread. Screenshots go with the output.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function boxOf(locator: Locator, name: string): Promise<Box> {
  const box = await locator.boundingBox();
  expect(box, `${name} is drawn`).not.toBeNull();
  return box!;
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** The widget at its current size: no sideways overflow, no overlaps, the composer in view. */
async function checkLayout(page: Page, testInfo: TestInfo, name: string, { notice }: { notice: boolean }): Promise<void> {
  await screenshot(page, testInfo, name);
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    clientWidth: document.scrollingElement!.clientWidth,
  }));
  expect(scrollWidth, `${name}: page width ${scrollWidth} > viewport ${clientWidth}`).toBeLessThanOrEqual(clientWidth);
  await expect(page.getByTestId('model-status')).toHaveCount(1);

  const bar = await boxOf(page.getByTestId('embed-bar'), 'bar');
  // Inside the bar: each of its pieces, side by side.
  const inBar: Record<string, Box> = {
    title: await boxOf(page.getByTestId('embed-title'), 'title'),
    status: await boxOf(page.getByTestId('model-status'), 'status'),
    'new chat': await boxOf(page.getByTestId('new-chat'), 'new chat'),
    models: await boxOf(page.getByTestId('model-picker-toggle'), 'models'),
  };
  // Below it: the rest of the widget.
  const outside: Record<string, Box> = {
    bar,
    input: await boxOf(page.getByTestId('chat-input'), 'input'),
    send: await boxOf(page.getByTestId('send-button'), 'send'),
    'powered by': await boxOf(page.getByTestId('embed-powered-by'), 'powered by'),
  };
  if (notice) outside.notice = await boxOf(page.getByTestId('embed-notice'), 'notice');

  for (const [part, b] of Object.entries(inBar)) {
    expect(b.x >= bar.x - 0.5 && b.x + b.width <= bar.x + bar.width + 0.5, `${name}: the ${part} sticks out of the bar`).toBe(true);
  }
  for (const group of [inBar, outside]) {
    const entries = Object.entries(group);
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        expect(overlaps(entries[i][1], entries[j][1]), `${name}: ${entries[i][0]} overlaps ${entries[j][0]}`).toBe(false);
      }
    }
  }

  const viewport = page.viewportSize()!;
  for (const part of ['input', 'send'] as const) {
    const b = outside[part];
    const inside = b.x >= 0 && b.y >= 0 && b.x + b.width <= viewport.width && b.y + b.height <= viewport.height;
    expect(inside, `${name}: the ${part} is outside the ${viewport.width} × ${viewport.height} viewport`).toBe(true);
  }
}

async function noSeriousAxeViolations(page: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, name).toEqual([]);
}

const bodyBackground = (page: Page): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/** The sum of the channels of an `rgb(r, g, b)` colour: low for a dark one. */
const brightness = (rgb: string): number => (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((sum, c) => sum + Number(c), 0);

test('at 300 × 360 the widget loads, fits, chats and passes axe; so it does at 390 × 844 and 800 × 600', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 300, height: 360 });
  // A bad parameter, so that the notice line is part of the layout.
  await page.goto('/embed.html?theme=sepia');
  await waitForReady(page);
  await expect(page.getByTestId('embed-notice')).toBeVisible();
  await expect(page.getByTestId('embed-title')).toHaveText('Starling');
  await checkLayout(page, testInfo, 'widget-300x360-ready', { notice: true });

  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
  await checkLayout(page, testInfo, 'widget-300x360-reply', { notice: true });
  await noSeriousAxeViolations(page, 'widget at 300 × 360');

  // The Models dialog fits the small frame too, and Escape gives the focus back to its button.
  await page.getByTestId('model-picker-toggle').click();
  await expect(page.getByTestId('model-library')).toBeVisible();
  await screenshot(page, testInfo, 'widget-300x360-models');
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
  const dialog = await boxOf(page.getByTestId('model-library'), 'Models dialog');
  expect(dialog.x >= 0 && dialog.x + dialog.width <= 300, 'the Models dialog is wider than the frame').toBe(true);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('model-library')).toBeHidden();
  await expect(page.getByTestId('model-picker-toggle')).toBeFocused();

  for (const [width, height] of [
    [390, 844],
    [800, 600],
  ] as const) {
    await page.setViewportSize({ width, height });
    await checkLayout(page, testInfo, `widget-${width}x${height}`, { notice: true });
  }

  // New chat empties the conversation.
  await page.getByTestId('new-chat').click();
  await expect(page.getByTestId('message')).toHaveCount(0);
});

test('theme=dark draws dark colours, theme=light light ones, auto follows the system; the app is unchanged', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 300, height: 360 });
  await page.goto('/embed.html?theme=light');
  await expect(page.getByTestId('embed-bar')).toBeVisible();
  const light = await bodyBackground(page);
  await page.goto('/embed.html?theme=dark&title=Dark%20widget');
  await waitForReady(page);
  const dark = await bodyBackground(page);
  expect(dark).not.toBe(light);
  expect(brightness(dark)).toBeLessThan(brightness(light));
  await expect(page.getByTestId('embed-title')).toHaveText('Dark widget');
  await expect(page.getByTestId('embed-notice')).toHaveCount(0);
  await checkLayout(page, testInfo, 'widget-300x360-dark', { notice: false });
  await noSeriousAxeViolations(page, 'dark widget');

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/embed.html?theme=auto');
  await expect(page.getByTestId('embed-bar')).toBeVisible();
  expect(await bodyBackground(page)).toBe(dark);
  await page.goto('/embed.html?theme=light');
  await expect(page.getByTestId('embed-bar')).toBeVisible();
  expect(await bodyBackground(page)).toBe(light);

  // The full app sets no theme: light on a light system, as before.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  await expect(page.getByTestId('model-status')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
  expect(await bodyBackground(page)).toBe(light);
});

test('accent= colours the Send button (with readable text); a bad theme or accent shows the notice and is ignored', async ({ page }) => {
  await page.setViewportSize({ width: 300, height: 360 });
  await page.goto('/embed.html?accent=%23ff0000');
  const send = page.getByTestId('send-button');
  await expect(send).toHaveCSS('background-color', 'rgb(255, 0, 0)');
  await expect(send).toHaveCSS('color', 'rgb(13, 16, 32)');
  await expect(page.getByTestId('embed-notice')).toHaveCount(0);

  await page.goto('/embed.html?theme=sepia&accent=blue');
  const notice = page.getByTestId('embed-notice');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('theme=sepia is not light, dark or auto.');
  await expect(notice).toContainText('accent=blue is not a hex colour');
  await expect(send).toHaveCSS('background-color', 'rgb(58, 91, 217)');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('auto');
});

test('ui=none draws no chat, yet the model loads', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 300, height: 360 });
  await page.goto('/embed.html?ui=none');
  await waitForReady(page);
  await expect(page.getByTestId('embed-headless')).toBeVisible();
  await expect(page.getByTestId('embed-headless')).toContainText('draws no chat');
  await expect(page.getByTestId('model-status')).toHaveCount(1);
  for (const id of ['chat-input', 'send-button', 'message', 'embed-bar']) await expect(page.getByTestId(id)).toHaveCount(0);
  await screenshot(page, testInfo, 'widget-300x360-headless');
});

test('a frame that is not cross-origin isolated says it runs on one thread; an isolated one does not', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 300, height: 360 });
  await page.goto('/embed.html');
  await waitForReady(page);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('embed-threads-note')).toHaveCount(0);

  // The same page without COOP/COEP and Document-Isolation-Policy, as a host without those headers
  // gives it (and as Firefox and WebKit, which ignore Document-Isolation-Policy, run it in a plain page).
  await page.route('**/embed.html*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    delete headers['document-isolation-policy'];
    await route.fulfill({ response, headers });
  });
  await page.goto('/embed.html?reload=1');
  await waitForReady(page);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(false);
  const note = page.getByTestId('embed-threads-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText('1 thread');
  await expect(note).toHaveAttribute('title', /Not cross-origin isolated/);
  await checkLayout(page, testInfo, 'widget-300x360-one-thread', { notice: false });
});
