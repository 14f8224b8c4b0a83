/**
 * Nothing locks the chat: a stuck engine worker is detected by the heartbeat and handled like a
 * crash; a first token that never comes (wllama's own worker stuck) ends in a stalled error; Stop ends a generation at once even then; a message the context cannot hold is refused
 * before it enters the history; a 100,000-character paste never blocks the main thread.
 */
import type { Page, Worker } from '@playwright/test';
import { BAD_UTF8_REPLY_PARTS, MODELS } from '../../tools/models/catalog';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

/**
 * The app's engine worker (assets/engine.worker-<hash>.js): not wllama's nested one (a blob: URL), nor
 * one of the own engine's pthread workers (starling-engine.worker-<hash>.js, which /engine/ also matched).
 */
const ENGINE_WORKER = /\/engine\.worker[-.]/;
async function engineWorker(page: Page): Promise<Worker> {
  await expect.poll(() => page.workers().some((w) => ENGINE_WORKER.test(w.url()))).toBe(true);
  return page.workers().find((w) => ENGINE_WORKER.test(w.url()))!;
}

/**
 * Makes the engine worker stop answering, without an error event: its event loop is stuck in a
 * loop started over the DevTools protocol (no test hook in the app). Returns once the worker no
 * longer answers the protocol either: a loop sent while a reply streamed was sometimes never run
 * (the worker went on answering, and the test then waited for a hang that had not happened).
 */
async function hang(worker: Worker): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    void worker.evaluate('for (;;) {}').catch(() => {});
    const answered = await Promise.race([
      worker.evaluate('1').then(() => true, () => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1_000)),
    ]);
    if (!answered) return;
  }
  throw new Error('the engine worker could not be made to hang');
}

/**
 * Moves the page's clock on a second at a time (each tick on time, as in a tab in front) until the
 * error banner shows: the heartbeat's 10 s limit passes in a moment. Needs page.clock.install().
 */
async function fastForwardToBanner(page: Page): Promise<void> {
  const banner = page.getByTestId('error-banner');
  for (let s = 0; s < 30 && (await banner.count()) === 0; s++) await page.clock.fastForward(1000);
}

async function startLongReply(page: Page, modelServer: { url: string }): Promise<void> {
  // All 600 tokens of the long reply (4 s here), so it is still streaming when the test acts on it.
  await page.addInitScript(({ key }) => localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? '{}'), max_tokens: 600 })), { key: PREF_KEYS.settings });
  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}`);
  await waitForReady(page);
  await sendMessage(page, 'Tell me everything');
  const content = lastAssistant(page).getByTestId('message-content');
  // Any text: the first token shows at once, later ones in batches that may come after the reply ends.
  await expect.poll(async () => (await content.textContent())?.trim().length ?? 0).toBeGreaterThan(0);
}

test('an engine worker that stops answering: Stop ends the reply at once, the heartbeat reports it, and Try again restarts the engine', async ({
  page,
  modelServer,
}) => {
  await page.clock.install();
  await startLongReply(page, modelServer);
  await hang(await engineWorker(page));
  const reply = lastAssistant(page);
  const banner = page.getByTestId('error-banner');
  // Stop ends it at once: long before the heartbeat gives up on the worker.
  await page.getByTestId('stop-button').click();
  await expect(reply).toHaveAttribute('data-state', 'stopped', { timeout: 2_000 });
  await expect(page.getByTestId('send-button')).toBeVisible({ timeout: 2_000 });
  // The heartbeat then finds the worker dead and says so; the reply is kept as stopped.
  await fastForwardToBanner(page);
  await expect(banner).toHaveAttribute('data-kind', 'worker-crashed');
  await expect(banner).toContainText(/stopped answering/);
  await expect(reply).toHaveAttribute('data-state', 'stopped');
  const partial = (await reply.getByTestId('message-content').textContent()) ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(MODELS.long.reply.startsWith(partial)).toBe(true);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');

  await page.getByTestId('retry-button').click();
  await waitForReady(page);
  await expect(banner).toHaveCount(0);
  // The conversation stayed, and the restarted engine answers.
  await expect(page.locator('[data-testid=message][data-role=user]')).toHaveCount(1);
  // A full reply of 64 tokens shows the engine answers (the default 256 cost ~15 s of CI time).
  await page.getByTestId('open-settings').click();
  await page.getByTestId('setting-max_tokens').fill('64');
  await sendMessage(page, 'Hello again');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.locator('[data-testid=message][data-role=assistant]').first()).toHaveAttribute('data-state', 'stopped');
});

/**
 * wllama's own worker (blob: URL, nested in the engine worker) hung: the engine worker still answers
 * the heartbeat, but nothing reaches llama.cpp. Stuck over the DevTools protocol, as hang() does.
 */
async function hangWllamaWorker(page: Page): Promise<void> {
  await expect.poll(() => page.workers().some((w) => w.url().startsWith('blob:'))).toBe(true);
  for (const w of page.workers().filter((w) => w.url().startsWith('blob:'))) void w.evaluate('for (;;) {}').catch(() => {});
}

test('a first token that never comes (wllama\'s inner worker hung) ends the reply with a stalled error, keeps the message, and Try again restarts the engine', async ({
  page,
}) => {
  // The page's clock is moved on a second at a time (each tick on time, as in a tab in front), so
  // the two-minute first-token limit passes in a few seconds; the workers keep real time.
  await page.clock.install();
  await page.goto('/?engine=wllama');
  await waitForReady(page);
  await hangWllamaWorker(page);
  await sendMessage(page, 'Hello');
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute('data-state', 'streaming');
  const banner = page.getByTestId('error-banner');
  for (let s = 0; s < 200 && (await banner.count()) === 0; s++) await page.clock.fastForward(1000);
  await expect(banner).toHaveAttribute('data-kind', 'stalled');
  await expect(banner).toContainText(/Generating the reply made no progress for 1\d\d s \(step: waiting for the first token/);
  await expect(reply).toHaveAttribute('data-state', 'error');
  await expect(page.locator('[data-testid=message][data-role=user]')).toHaveCount(1);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');

  await page.getByTestId('retry-button').click();
  await waitForReady(page);
  await expect(banner).toHaveCount(0);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
});

/**
 * Makes the model's next piece a 4 KB run of nested `>` (the payload that made marked overflow its
 * stack): the engine worker's next token event is preceded by one carrying it, over DevTools.
 */
async function injectNestedQuotes(worker: Worker): Promise<void> {
  await worker.evaluate(`(() => {
    const post = self.postMessage.bind(self);
    let done = false;
    self.postMessage = (m, t) => {
      if (!done && m && m.type === 'token') {
        done = true;
        post({ ...m, pieces: ['\\n\\n' + '>'.repeat(4096) + ' deep'] });
      }
      return post(m, t);
    };
  })()`);
}

test('a 4 KB reply of nested quotes renders as plain text and the reply streams on; a worker that then stops answering is detected by the heartbeat alone', async ({
  page,
  modelServer,
}) => {
  await page.clock.install();
  await startLongReply(page, modelServer);
  const worker = await engineWorker(page);
  const content = lastAssistant(page).getByTestId('message-content');
  await injectNestedQuotes(worker);
  await expect(content.locator('.plain')).toContainText('>>>>>>>> deep');
  // Not locked: the reply keeps streaming after the payload, and the page still answers input.
  const length = (await content.textContent())?.length ?? 0;
  await expect.poll(async () => (await content.textContent())?.length ?? 0).toBeGreaterThan(length + 20);
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'streaming');
  await hang(worker);
  const banner = page.getByTestId('error-banner');
  await fastForwardToBanner(page);
  await expect(banner).toHaveAttribute('data-kind', 'worker-crashed');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'stopped');
});

test('a message the context cannot hold is refused, kept in the composer, and the next one works', async ({ page }) => {
  await page.goto('/?ctx=256');
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');

  const long = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
  await sendMessage(page, long, { refused: true });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'context-full');
  await expect(banner).toContainText(/needs \d+ tokens, and the context holds \d+/);
  await expect(banner).toContainText('was not sent');
  await expect(page.getByTestId('chat-input')).toHaveValue(long);
  await expect(page.locator('[data-testid=message][data-role=user]')).toHaveCount(1);

  await page.getByTestId('chat-input').fill('Hi');
  await page.getByTestId('send-button').click();
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(page.locator('[data-testid=message][data-role=user]')).toHaveCount(2);
  await expect(banner).toHaveCount(0);
});

/**
 * Pastes text into the composer as the browser does: a paste event carrying the clipboard's text.
 * The text is built in the page from a short unit, so the test harness itself moves no 100 KB
 * argument across (that would be a long task of its own).
 */
async function paste(page: Page, unit: string, chars: number): Promise<void> {
  await page.getByTestId('chat-input').evaluate(
    (el, { unit, chars }) => {
      const text = unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
      const data = new DataTransfer();
      data.setData('text/plain', text);
      const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      // Without a page handler, a paste inserts its text (a synthetic event does not, so do it here).
      if (el.dispatchEvent(event)) {
        (el as HTMLTextAreaElement).setRangeText(text);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }
    },
    { unit, chars },
  );
}

test('a 100,000-character paste and send never block the main thread for more than 50 ms', async ({ page }) => {
  await page.goto('/');
  await waitForReady(page);
  await page.evaluate(() => {
    const w = window as unknown as { __long: { start: number; duration: number }[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
  });
  const since = await page.evaluate(() => performance.now()); // the boot tasks before this do not count
  await paste(page, 'the quick brown fox jumps over the lazy dog ', 100_000);
  await expect(page.getByTestId('pasted-text')).toHaveAttribute('data-chars', '100000');
  await page.getByTestId('send-button').click();
  // About 25,000 tokens: tokenized in the engine worker, and refused by the 4096-token context.
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'context-full');
  await expect(banner).toContainText(/needs 2\d{4} tokens, and the context holds 4096/);
  await page.waitForTimeout(500);
  const long = await page.evaluate(() => (window as unknown as { __long: { start: number; duration: number }[] }).__long);
  expect(long.filter((t) => t.start >= since)).toEqual([]);
  // Nothing is lost: the paste is still in the composer, and nothing entered the conversation.
  await expect(page.getByTestId('pasted-text')).toHaveAttribute('data-chars', '100000');
  await expect(page.locator('[data-testid=message]')).toHaveCount(0);

  await page.getByRole('button', { name: 'Remove pasted text' }).click();
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(MODELS.demo.reply);
});

test('on the own engine, a reply holding a byte that is not valid UTF-8 shows it as U+FFFD and goes on to its end', async ({ page, modelServer }) => {
  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.badUtf8.file}`)}`);
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('gen-stats')).toHaveAttribute('data-engine', 'own');
  const text = (await reply.getByTestId('message-content').textContent()) ?? '';
  expect(text).toBe(`${BAD_UTF8_REPLY_PARTS[0]}\uFFFD ${BAD_UTF8_REPLY_PARTS[1]}`);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('on wllama, a reply holding a byte that is not valid UTF-8 keeps the text before it, says why, and the engine answers the next message', async ({ page, modelServer }) => {
  // wllama (3.8 and 3.13 alike) cannot pass on such a reply: llama.cpp's JSON encoder throws on it.
  await page.goto(`/?engine=wllama&model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.badUtf8.file}`)}`);
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute('data-state', 'error');
  await expect(reply.getByTestId('message-content')).toHaveText(BAD_UTF8_REPLY_PARTS[0]);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-kind', 'generation-failed');
  await expect(banner).toContainText('not valid UTF-8');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');

  // Not stuck: the engine takes the next message (this model's reply is the same for any prompt).
  await sendMessage(page, 'Again');
  const next = lastAssistant(page);
  await expect(next).toHaveAttribute('data-state', 'error');
  await expect(next.getByTestId('message-content')).toHaveText(BAD_UTF8_REPLY_PARTS[0]);
  await expect(page.locator('[data-testid="message"][data-role="user"]')).toHaveCount(2);
});
