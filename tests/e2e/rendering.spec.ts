/**
 * Reply rendering in the built app (issue 12, item 4), on a phone-sized page: a scripted reply with
 * a Markdown image, a link, a fenced Python block and a table. The code is highlighted by the
 * lazily loaded highlight.js chunk and copied exactly; the table has borders; nothing overflows the
 * page horizontally; the image is not requested until its placeholder is clicked.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Request } from '@playwright/test';
import { MODELS, RENDERING_CODE, RENDERING_IMAGE_URL } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// 1x1 PNG, served with CORS as an image host that allows embedding would.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

test.use({ viewport: { width: 390, height: 844 } });

test('a reply with code, a table, a link and an image renders safely at 390 px', async ({ page, context, baseURL, modelServer }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  // The reply's image host: this route answers it (no request leaves the machine) and records each request.
  const imageRequests: Request[] = [];
  await context.route(`${RENDERING_IMAGE_URL}**`, (route) => {
    imageRequests.push(route.request());
    return route.fulfill({ status: 200, body: PNG, headers: { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' } });
  });
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });

  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.rendering.file}`)}`);
  await waitForReady(page);
  // highlight.js is its own chunk, not fetched for the first paint.
  expect(scripts.filter((s) => /hljs/.test(s))).toEqual([]);
  const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  const widthBefore = await pageWidth();
  await sendMessage(page, 'Show me some Markdown');
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute('data-state', 'done');
  const content = reply.getByTestId('message-content');

  // Code: a language label, highlight.js token classes once its chunk has arrived, exact copy.
  await expect(content.getByTestId('code-lang')).toHaveText('python');
  await expect(content.locator('pre code .hljs-keyword').first()).toHaveText('def');
  expect(scripts.filter((s) => /hljs/.test(s))).toHaveLength(1);
  expect(await content.locator('pre code').textContent()).toBe(RENDERING_CODE);
  // What streaming built, batch by batch in place (markdown/morph.ts), is what the whole reply renders
  // to: the same after a reload, which renders it from the saved chat at once.
  const streamed = await content.innerHTML();
  await page.reload();
  await waitForReady(page);
  await expect(content.locator('pre code .hljs-keyword').first()).toHaveText('def');
  expect(await content.innerHTML()).toBe(streamed);
  // Token colours follow the palette (the widget's theme=dark sets data-theme; the system's dark mode too).
  const keyword = content.locator('pre code .hljs-keyword').first();
  const colour = () => keyword.evaluate((el) => getComputedStyle(el).color);
  expect(await colour()).toBe('rgb(166, 38, 164)');
  await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
  expect(await colour()).toBe('rgb(209, 153, 240)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
  expect(await colour()).toBe('rgb(166, 38, 164)');
  await page.evaluate(() => delete document.documentElement.dataset.theme);
  expect(await colour()).toBe('rgb(209, 153, 240)');
  await page.emulateMedia({ colorScheme: 'light' });
  const copy = content.getByTestId('code-copy');
  await copy.click();
  await expect(copy).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(RENDERING_CODE);

  // Table: every cell bordered; a table too wide for the bubble scrolls inside it.
  expect(await content.locator('table').evaluate((el) => getComputedStyle(el).overflowX)).toBe('auto');
  const cells = content.locator('table').locator('th, td');
  await expect(cells).toHaveCount(4);
  for (const border of await cells.evaluateAll((els) => els.map((el) => getComputedStyle(el).borderTopStyle + ' ' + getComputedStyle(el).borderLeftWidth))) {
    expect(border).toBe('solid 1px');
  }

  // Links open in a new tab without opener or referrer.
  const link = content.getByRole('link', { name: 'docs' });
  await expect(link).toHaveAttribute('target', '_blank');
  expect((await link.getAttribute('rel'))?.split(' ')).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));

  // The long code line scrolls inside its block; the reply fits the 390 px page, which does not overflow.
  expect(await content.locator('pre').evaluate((el) => [el.scrollWidth > el.clientWidth, getComputedStyle(el).overflowX])).toEqual([true, 'auto']);
  expect(await content.evaluate((el) => [el.getBoundingClientRect().right <= window.innerWidth, el.scrollWidth <= el.clientWidth])).toEqual([true, true]);
  expect(await pageWidth()).toBe(widthBefore);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  // The highlighted code, the table and the placeholders pass axe (contrast of the token colours included).
  const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).include('[data-testid=message][data-role=assistant]').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // The image: only a placeholder, nothing requested, until the user asks for it.
  const placeholder = content.getByTestId('image-placeholder');
  await expect(placeholder).toContainText('Starling logo');
  await expect(content.locator('img')).toHaveCount(0);
  expect(imageRequests).toHaveLength(0);
  await placeholder.click();
  const img = content.getByTestId('loaded-image');
  await expect(img).toHaveAttribute('alt', 'Starling logo');
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
  expect(imageRequests.map((r) => r.url())).toEqual([RENDERING_IMAGE_URL]);
  expect(imageRequests[0].headers()['referer']).toBeUndefined();
  expect(imageRequests[0].headers()['cookie']).toBeUndefined();
});
