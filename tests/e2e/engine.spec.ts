import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MODELS } from '../../tools/models/catalog';
import { testModel } from '../fixtures/test-models';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

const require = createRequire(import.meta.url);
/** Bytes of a wllama wasm file as npm installed it (the two builds differ in size). */
const wasmBytes = (pkg: string): number => statSync(require.resolve(`${pkg}/package.json`).replace(/package\.json$/, pkg.endsWith('compat') ? 'wasm/wllama.wasm' : 'esm/wasm/wllama.wasm')).size;

const stats = (page: import('@playwright/test').Page) => page.getByTestId('gen-stats');

async function replyOnce(page: import('@playwright/test').Page): Promise<void> {
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
}

test.describe('backend and threads from the address', () => {
  for (const threads of [1, 2]) {
    test(`?backend=cpu&threads=${threads} is honoured and shown in gen-stats`, async ({ page }) => {
      await page.goto(`/?backend=cpu&threads=${threads}&panel=settings`);
      await waitForReady(page);
      await expect(page.getByTestId('engine-info')).toHaveAttribute('data-threads-source', 'requested');
      await replyOnce(page);
      await expect(stats(page)).toHaveAttribute('data-backend', 'cpu');
      await expect(stats(page)).toHaveAttribute('data-threads', String(threads));
    });
  }
});

for (const engine of ['own', 'wllama'] as const) {
  test(`?batch= sets the prompt batch on the ${engine} engine; Settings and gen-stats show it`, async ({ page }) => {
    await page.goto(`/?engine=${engine}&batch=8&threads=1&panel=settings`);
    await waitForReady(page);
    await expect(page.getByTestId('batch-note')).toHaveAttribute('data-batch', '8');
    await expect(page.getByTestId('batch-note')).toContainText('as requested (?batch=8)');
    // Where the load's time went, step by step, on either engine.
    await expect(page.getByTestId('load-phases')).toContainText(/s in the engine \(.*loading the weights with 1 thread on the CPU: \d+\.\d s/);
    await replyOnce(page);
    await expect(stats(page)).toHaveAttribute('data-batch', '8');
    await expect(stats(page)).toHaveAttribute('data-engine', engine);
    // Without it, each engine's default: the own engine's from the bench's sweep.
    await page.goto(`/?engine=${engine}&threads=1&panel=settings`);
    await waitForReady(page);
    await expect(page.getByTestId('batch-note')).toHaveAttribute('data-batch', engine === 'own' ? '256' : /^\d+$/);
    await expect(page.getByTestId('batch-note')).not.toContainText('requested');
  });
}

test('?build=compat runs the compat build (served by the app) and answers exactly; the default build is the one otherwise', async ({ page }) => {
  const wasm: number[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(Number(r.headers()['content-length']));
  });
  await page.goto('/?build=compat&threads=1&panel=settings');
  await waitForReady(page);
  await expect(page.getByTestId('wasm-build')).toHaveAttribute('data-build', 'compat');
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
  await expect(stats(page)).toHaveAttribute('data-build', 'compat');
  await expect.poll(() => wasm).toContain(wasmBytes('@wllama/wllama-compat'));
  expect(wasm).not.toContain(wasmBytes('@wllama/wllama'));
  // On wllama without ?build=, this Chromium (JSPI and memory64) runs the default build.
  await page.goto('/?engine=wllama&threads=1&panel=settings');
  await waitForReady(page);
  await expect(page.getByTestId('wasm-build')).toHaveAttribute('data-build', 'default');
  await expect(page.getByTestId('wasm-build')).toContainText('JSPI and memory64');
  await expect(page.getByTestId('engine-info')).toHaveAttribute('data-engine', 'wllama');
  // With neither, the app's own engine runs on the CPU.
  await page.goto('/?threads=1&panel=settings');
  await waitForReady(page);
  await expect(page.getByTestId('engine-info')).toHaveAttribute('data-engine', 'own');
  await expect(page.getByTestId('wasm-build')).toHaveAttribute('data-build', 'own');
  await expect(page.getByTestId('engine-reason')).toContainText('twice as fast');
});

for (const build of ['default', 'compat'] as const) {
  test(`a ${build} wasm from another llama.cpp commit than wllama's script is refused with its own error, and no retry`, async ({ page }) => {
    // The served wasm with its version string's commit zeroed (same length): it still instantiates,
    // and wllama 3.13's check compares that version with the one its JavaScript expects.
    let patched = 0;
    await page.context().route(/\/assets\/wllama-[^/]*\.wasm$/, async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      const text = body.toString('latin1');
      const m = /"version":"b\d+-([0-9a-f]+)"/.exec(text);
      if (m) {
        body.write('0'.repeat(m[1].length), m.index + m[0].length - 1 - m[1].length, 'latin1');
        patched++;
      }
      await route.fulfill({ response, body });
    });
    await page.goto(`/?threads=1&build=${build}`);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
    const banner = page.getByTestId('error-banner');
    await expect(banner).toHaveAttribute('data-kind', 'engine-mismatch');
    await expect(banner).toContainText(new RegExp(`the ${build} build's WebAssembly file is b\\d+-0+\\b`));
    await expect(banner.getByTestId('retry-button')).toHaveCount(0);
    expect(patched).toBeGreaterThan(0);
  });
}

test.describe('thread count by measurement', () => {
  test.use({ threadsPref: null });
  test('the first load measures each candidate; the next load reuses the result', async ({ page }) => {
    await page.goto('/?panel=settings');
    await waitForReady(page);
    const info = page.getByTestId('engine-info');
    await expect(info).toHaveAttribute('data-threads-source', 'measured');
    const note = await page.getByTestId('threads-note').textContent();
    // Both candidates on this 2-core machine were run: "1 → N tok/s, 2 → M tok/s".
    expect(note).toMatch(/measured fastest here: (1|2) → [\d.]+ tok\/s, (1|2) → [\d.]+ tok\/s/);
    const chosen = await info.getAttribute('data-threads');
    await replyOnce(page);
    await expect(stats(page)).toHaveAttribute('data-threads', chosen!);

    await page.reload();
    await waitForReady(page);
    await expect(info).toHaveAttribute('data-threads-source', 'remembered');
    await expect(info).toHaveAttribute('data-threads', chosen!);
  });
});

test('the settings panel changes the backend and threads, and the model reloads with them', async ({ page }) => {
  await page.goto('/?panel=settings');
  await waitForReady(page);
  await page.getByTestId('setting-backend').selectOption('cpu');
  await page.getByTestId('setting-threads').fill('2');
  await page.getByTestId('setting-threads').blur();
  await page.getByTestId('engine-apply').click();
  await expect(page.getByTestId('engine-info')).toHaveAttribute('data-threads-source', 'requested');
  await waitForReady(page);
  await replyOnce(page);
  await expect(stats(page)).toHaveAttribute('data-threads', '2');
  // Kept for the next visit.
  await page.reload();
  await waitForReady(page);
  await expect(page.getByTestId('engine-info')).toHaveAttribute('data-threads', '2');
  await expect(page.getByTestId('setting-threads')).toHaveValue('2');
});

test('a model of an architecture the own engine is not built for (xverse) runs on wllama, and Settings says why', async ({ page, modelServer }) => {
  const model = testModel('demoXverse');
  await page.goto(`/?threads=1&panel=settings&model=${encodeURIComponent(`${modelServer.url}/models/${model.file}`)}`);
  await waitForReady(page);
  await expect(page.getByTestId('engine-info')).toHaveAttribute('data-engine', 'wllama');
  await expect(page.getByTestId('engine-reason')).toContainText('built for the llama and starcoder architectures; this model is xverse');
  // wllama's llama.cpp has xverse's graph (llama's, without biases): the scripted reply comes out whole.
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
  await expect(stats(page)).toHaveAttribute('data-engine', 'wllama');
});
