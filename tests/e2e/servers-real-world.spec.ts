/**
 * Model hosts as they are in the real world (GUIDE.md §5b), one named fixture-server behaviour per
 * scenario: each asserts the error kind and text (or a good download), the storage panel's flags, the
 * cache contents (never a complete record that differs from the source) and that the chat still works.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { MODELS } from '../../tools/models/catalog';
import { sha256File } from '../fixtures/file-hash';
import { swappedBytes, type ModelServer } from '../fixtures/model-server';
import { testModel } from '../fixtures/test-models';
import { cacheEntriesFor, cachedFileHashes, cachedRecord, expect, lastAssistant, sendMessage, storedChunkKeys, test, waitForReady } from './fixtures';

const MiB = 1 << 20;
const openUrl = (url: string, extra = '') => `/?model=${encodeURIComponent(url)}${extra}`;

/** The app is still usable: the demo model loads and answers. */
async function chatStillWorks(page: Page): Promise<void> {
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('use-demo-model').click();
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
}

/** Opens a model through the URL field of the Models dialog (no page reload). */
async function openInDialog(page: Page, spec: string): Promise<void> {
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('model-url-input').fill(spec);
  await page.getByTestId('model-open-button').click();
}

/** Saves a model for offline use through the Models dialog and waits until it is stored. */
async function saveInDialog(page: Page, url: string): Promise<void> {
  await page.getByTestId('model-picker-toggle').click();
  await page.getByTestId('model-url-input').fill(url);
  await page.getByTestId('model-save-button').click();
  await page.getByTestId('model-library').getByRole('button', { name: 'Close' }).click();
  const id = url.split('#')[0];
  await expect(page.locator(`[data-testid=offline-download][data-model-id="${id}"]`)).toHaveAttribute('data-state', 'done');
}

/** No request for a file asked for more than its first 2 MB (the memory planner's header read, the probe). */
function onlyTheStartWasRead(server: ModelServer, file: string): void {
  const gets = server.gets(file);
  expect(gets.length).toBeGreaterThan(0);
  for (const r of gets) expect(Number(/^bytes=\d+-(\d+)$/.exec(r.range ?? '')?.[1] ?? Infinity)).toBeLessThan(2_000_000);
}

test('files and hosts that cannot work are refused from the first answer, with a specific error and no retry', async ({ page, modelServer }) => {
  await page.goto('/');
  await waitForReady(page);
  const banner = page.getByTestId('error-banner');
  const cases = [
    // A GGUF magic and version, then garbage: refused before the 5 MB file is fetched (not "truncated" after it).
    { path: `garbage/${MODELS.demo.file}`, kind: 'corrupt-gguf', text: 'header is damaged', file: MODELS.demo.file },
    // A well-formed GGUF of an architecture llama.cpp does not know.
    { path: `models/${testModel('gpt5Arch').file}`, kind: 'unsupported-arch', text: '"gpt5"', file: MODELS.gpt5Arch.file },
    // The ASCII bytes "ggjt" (real GGJT files start "tjgg").
    { path: `ascii-ggjt/${MODELS.demo.file}`, kind: 'ggml-legacy', text: 'legacy GGML', file: null },
  ];
  for (const c of cases) {
    const url = `${modelServer.url}/${c.path}`;
    await openInDialog(page, url);
    await expect(banner).toHaveAttribute('data-kind', c.kind);
    await expect(banner).toContainText(c.text);
    await expect(page.getByTestId('retry-button')).toHaveCount(0);
    expect(await cacheEntriesFor(page, url)).toBe(0);
    if (c.file) onlyTheStartWasRead(modelServer, c.file);
    await page.getByRole('button', { name: 'Dismiss error' }).click();
    await expect(banner).toHaveCount(0);
  }

  // Bad input: a hf: spec that walks out of its repository, and a 100 KB URL, refused at once.
  await openInDialog(page, 'hf:../../etc/passwd');
  await expect(banner).toHaveAttribute('data-kind', 'bad-url');
  await expect(banner).toContainText('hf:<owner>/<repo>/<file>');
  await expect(page.getByTestId('retry-button')).toHaveCount(0);
  await page.getByRole('button', { name: 'Dismiss error' }).click();
  const started = Date.now();
  await openInDialog(page, `${modelServer.url}/models/${'a'.repeat(100_000)}.gguf`);
  await expect(banner).toHaveAttribute('data-kind', 'bad-url', { timeout: 5000 });
  expect(Date.now() - started).toBeLessThan(5000);
  await expect(banner).toContainText('at most 8,192');
  await expect(page.getByTestId('retry-button')).toHaveCount(0);
  expect(modelServer.requests.filter((r) => r.path.includes('aaaa'))).toEqual([]);

  await chatStillWorks(page);
});

test('hosts that allow only Range, cut bodies short or trickle give byte-identical models, verified only by a SHA-256', async ({ page, modelServer }) => {
  const { file, path } = testModel('demo');
  const sha = await sha256File(path);
  await page.goto(`/?chunk=${MiB}&parallel=2&panel=storage`);
  await waitForReady(page);

  // CORS as `http-server --cors` sends it: Range allowed, nothing else (an If-Range would fail its
  // preflight), and no Expose-Headers (scripts see no Content-Range or ETag; the size comes from a HEAD).
  const rangeOnly = `${modelServer.url}/cors-range-only/${file}`;
  await saveInDialog(page, rangeOnly);
  expect(modelServer.gets(`cors-range-only/${file}`).length).toBeGreaterThan(3); // probe + 5 chunks
  expect(modelServer.requests.filter((r) => r.ifRange !== null)).toEqual([]);
  // Two chunk answers a quarter short (retried), with a #sha256= pin.
  const short = `${modelServer.url}/short/${file}`;
  await saveInDialog(page, `${short}#sha256=${sha}`);
  expect(modelServer.shortBodies).toBe(0);
  // 64 KiB every 20 ms.
  const trickle = `${modelServer.url}/trickle/${file}`;
  await saveInDialog(page, trickle);

  for (const url of [rangeOnly, short, trickle]) expect(await cachedFileHashes(page, url)).toEqual([sha]);
  const item = (url: string) => page.locator(`[data-testid=storage-item][data-model-id="${url}"]`);
  for (const url of [rangeOnly, short, trickle]) await expect(item(url)).toHaveAttribute('data-complete', 'true');
  await expect(item(short)).toHaveAttribute('data-verified', 'true'); // matched its published SHA-256
  await expect(item(short).getByTestId('storage-verification')).toContainText('verified (SHA-256)');
  await expect(item(trickle)).toHaveAttribute('data-verified', 'false'); // size and ETag only
  await expect(item(trickle).getByTestId('storage-verification')).toContainText('unverified');

  // The range-only host was still downloaded in resumable chunks, held to what it exposes.
  expect((await cachedRecord(page, rangeOnly))?.files[0]).toMatchObject({ rangeSupported: true, rangeHidden: true, chunks: 5 });

  // Pinning a hash checks the stored bytes: a wrong one is refused, the right one verifies.
  const pin = item(rangeOnly);
  await expect(pin).toHaveAttribute('data-verified', 'false');
  await pin.getByTestId('pin-sha256-input').fill('ab'.repeat(32));
  await pin.getByTestId('pin-sha256-button').click();
  await expect(pin.getByTestId('pin-sha256')).toHaveAttribute('data-state', 'mismatch');
  await expect(pin.getByTestId('pin-sha256-result')).toContainText('does not match');
  await expect(pin).toHaveAttribute('data-verified', 'false');
  await pin.getByTestId('pin-sha256-input').fill(sha);
  await pin.getByTestId('pin-sha256-button').click();
  await expect(pin).toHaveAttribute('data-verified', 'true');
  expect((await cachedRecord(page, rangeOnly))?.files[0].verifiedBy).toBe('sha256');

  // The verified model opens from the cache, says so in the status, and chats.
  await pin.getByTestId('storage-open').click();
  await waitForReady(page);
  await expect(page.getByTestId('model-verified')).toHaveAttribute('data-verified', 'true');
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
});

test('a file replaced mid-download on a host that ignores If-Range restarts cleanly as source-changed', async ({ page, modelServer }) => {
  const { file, path } = testModel('demo');
  const url = `${modelServer.url}/swap/${file}`;
  await page.goto(openUrl(url, `&chunk=${MiB}&parallel=1&panel=storage`));
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'source-changed');
  await expect(banner).toContainText(/changed on the server.*ETag/);
  // Nothing of the old file is kept, and no record says complete.
  expect(await cachedRecord(page, url)).toBeNull();
  expect(await cacheEntriesFor(page, url)).toBe(0);
  // Trying again downloads the file the server has now (B), all of it, unmixed.
  await page.getByTestId('retry-button').click();
  await waitForReady(page);
  const b = createHash('sha256').update(swappedBytes(readFileSync(path))).digest('hex');
  expect(await cachedFileHashes(page, url)).toEqual([b]);
  await expect(page.locator(`[data-testid=storage-item][data-model-id="${url}"]`)).toHaveAttribute('data-complete', 'true');
  await chatStillWorks(page);
});

test('a host with no CORS at all and a host that answers 500 mid-file fail as network errors; the stored part is kept for Resume', async ({ page, modelServer }) => {
  const { file } = testModel('demo');
  const noCors = `${modelServer.url}/no-cors/${file}`;
  const error500 = `${modelServer.url}/error500/${file}`;
  // Both retry five times before giving up (15.5 s of waits for a user; ?retry=50 makes the first wait
  // 50 ms, 1.55 s in all), so they run side by side: the 500 host in this tab, where the demo model is
  // ready, the no-CORS host in a second tab of the same browser (the same IndexedDB).
  await page.goto(`/?chunk=${MiB}&parallel=1&retry=50`);
  await waitForReady(page);
  await openInDialog(page, error500);
  const other = await page.context().newPage();
  await other.goto(openUrl(noCors, '&retry=50'));

  // No CORS header at all: under COEP the app cannot tell it from a host that is down, so it says both.
  const otherBanner = other.getByTestId('error-banner');
  await expect(otherBanner).toHaveAttribute('data-kind', 'network');
  await expect(otherBanner).toContainText(
    'it may not allow downloads from other sites: it must send Access-Control-Allow-Origin (this site or *) and Range in Access-Control-Allow-Headers',
  );
  expect(await cachedRecord(other, noCors)).toBeNull();
  expect(await cacheEntriesFor(other, noCors)).toBe(0);
  await other.close();

  // HTTP 500 on every Range past the first 64 KiB: chunk 0 (1 MiB) is stored, chunk 1 fails 6 times.
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'network');
  await expect(banner).toContainText(`The server answered HTTP 500 Internal Server Error for ${error500}`);
  await expect(banner).toContainText('What was stored is kept; once the server can be reached again, trying again resumes from there.');
  expect(modelServer.gets(`error500/${file}`).filter((r) => r.start === MiB)).toHaveLength(6); // tried, retried 5 times, stopped
  expect(modelServer.gets(`error500/${file}`).filter((r) => r.start > MiB)).toEqual([]); // parallel=1: nothing after it
  const record = await cachedRecord(page, error500);
  expect(record?.complete).toBe(false);
  expect(record?.files[0].chunks).toBe(5);
  expect(await storedChunkKeys(page, error500)).toEqual([[0, 0]]);
  // The bar agrees with what is stored, and offers Resume.
  const progress = page.getByTestId('download-progress');
  await expect(progress).toHaveAttribute('data-phase', 'paused');
  await expect(progress).toHaveAttribute('data-loaded', String(MiB));
  await expect(page.getByTestId('download-resume')).toBeVisible();

  // The failed open left the demo model ready: it still answers.
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
});
