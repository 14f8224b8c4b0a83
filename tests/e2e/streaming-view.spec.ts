/**
 * Reading a reply while it streams, on a phone-sized page: the list follows the newest text only
 * while the reader is at its bottom (one who scrolled up to read is not pulled back down, and a
 * "Newest" button takes them back), and text selected in the growing paragraph stays selected as
 * more arrives (the tail is changed in place, markdown/morph.ts, not replaced). The scripted long
 * reply is one paragraph of 600 words.
 */
import { MODELS } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

test.use({ viewport: { width: 390, height: 640 } });

test('a streaming reply follows only a reader at the bottom, and keeps their selection', async ({ page, modelServer }) => {
  // The whole scripted reply (600 tokens), so that it streams for a while.
  await page.addInitScript(() => localStorage.setItem('starling-playground:settings:v1', JSON.stringify({ max_tokens: 600 })));
  await page.goto(`/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}`);
  await waitForReady(page);
  await sendMessage(page, 'Tell me everything');

  // Everything below runs in the page, step by step as the reply's batches arrive: from here, a
  // batch could be missed between two looks.
  const seen = await page.evaluate(async () => {
    const list = document.querySelector('main')!;
    const replies = document.querySelectorAll('[data-testid=message][data-role=assistant]');
    const reply = replies[replies.length - 1];
    const content = reply.querySelector('[data-testid=message-content]')!;
    const length = (): number => content.textContent?.length ?? 0;
    const streaming = (): boolean => reply.getAttribute('data-state') === 'streaming';
    const gap = (): number => list.scrollHeight - list.scrollTop - list.clientHeight;
    const until = (done: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!done()) return;
          observer.disconnect();
          resolve();
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        check();
      });
    // The list scrolls after the batch is on the page (a microtask later): let it.
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

    await until(() => list.scrollHeight > list.clientHeight + 200 || !streaming());
    await settle();
    const followed = { gap: gap(), streaming: streaming() };

    // The reader selects the reply's first words, then scrolls up to read them.
    const paragraph = content.querySelector('p')!;
    const text = paragraph.firstChild!;
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, 24);
    const selection = getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
    const selected = selection.toString();
    (paragraph as unknown as { kept: boolean }).kept = true;
    list.scrollTop = 0;
    const before = length();
    await until(() => length() > before + 300 || !streaming());
    await settle();
    const readingAbove = {
      grew: length() - before,
      streaming: streaming(),
      scrollTop: list.scrollTop,
      selected,
      stillSelected: getSelection()!.toString(),
      sameParagraph: paragraph.isConnected && (paragraph as unknown as { kept?: boolean }).kept === true,
      newest: document.querySelector<HTMLButtonElement>('[data-testid=scroll-to-newest]')?.textContent?.trim() ?? null,
    };

    // "Newest" takes the reader back to the bottom, and the list follows again.
    document.querySelector<HTMLButtonElement>('[data-testid=scroll-to-newest]')?.click();
    await settle();
    const atBottom = length();
    await until(() => length() > atBottom + 100 || !streaming());
    await settle();
    const backAtBottom = { grew: length() - atBottom, gap: gap(), newest: !!document.querySelector('[data-testid=scroll-to-newest]') };
    return { followed, readingAbove, backAtBottom };
  });

  expect(seen.followed.streaming).toBe(true);
  expect(seen.followed.gap).toBeLessThanOrEqual(32);
  expect(seen.readingAbove.grew).toBeGreaterThan(300);
  expect(seen.readingAbove.scrollTop).toBe(0);
  expect(seen.readingAbove.selected).toBe(MODELS.long.reply!.slice(0, 24));
  expect(seen.readingAbove.stillSelected).toBe(seen.readingAbove.selected);
  expect(seen.readingAbove.sameParagraph).toBe(true);
  expect(seen.readingAbove.newest).toBe('↓ Newest');
  expect(seen.backAtBottom.grew).toBeGreaterThan(0);
  expect(seen.backAtBottom.gap).toBeLessThanOrEqual(32);
  expect(seen.backAtBottom.newest).toBe(false);

  // The reply as streamed is the reply as rendered whole (after a reload, from the saved chat).
  const reply = lastAssistant(page);
  await expect(reply).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const streamed = await reply.getByTestId('message-content').innerHTML();
  await page.reload();
  await waitForReady(page);
  expect(await lastAssistant(page).getByTestId('message-content').innerHTML()).toBe(streamed);
});
