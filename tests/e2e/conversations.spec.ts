import type { Locator, Page } from '@playwright/test';
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { CONVERSATION_DB } from '../../web/src/lib/conversations/conversation-db';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

/** What a reload must give back: each message's role, text, state and its reply's figures. */
const STATS = ['data-prompt-tokens', 'data-cached-tokens', 'data-gen-tokens', 'data-gen-tps', 'data-ttft-ms'];
async function messagesOf(page: Page): Promise<string[][]> {
  return page.getByTestId('message').evaluateAll(
    (els, stats) =>
      els.map((el) => [
        el.getAttribute('data-role') ?? '',
        el.querySelector('[data-testid=message-content]')?.textContent ?? '',
        el.getAttribute('data-state') ?? '',
        ...stats.map((a) => el.getAttribute(a) ?? ''),
      ]),
    STATS,
  );
}

const item = (page: Page, title: string): Locator => page.getByTestId('conversation-item').filter({ hasText: title });
const promptText = (page: Page): Locator => page.getByTestId('prompt-text');

test('two conversations survive a reload exactly; rename, search, delete with undo; two tabs keep each other’s', async ({ page, context }) => {
  await page.goto('/');
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await sendMessage(page, 'And a second turn');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  // The second turn evaluates only its new tokens: the first prompt (17 tokens) comes from the KV cache.
  // (The same figure on the reply and, for the last reply, in the stats bar.)
  expect(Number(await lastAssistant(page).getAttribute('data-cached-tokens'))).toBeGreaterThanOrEqual(17);
  await expect(page.getByTestId('gen-stats')).toHaveAttribute('data-cached-tokens', (await lastAssistant(page).getAttribute('data-cached-tokens'))!);
  const first = await messagesOf(page);

  await page.getByTestId('new-chat-button').click();
  await expect(page.getByTestId('message')).toHaveCount(0);
  await sendMessage(page, 'Another chat about foxes');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  const second = await messagesOf(page);
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);

  await page.reload();
  await waitForReady(page);
  // Newest first, and the newest open again.
  await expect(page.getByTestId('conversation-title')).toHaveText(['Another chat about foxes', 'Hello']);
  await expect(item(page, 'foxes')).toHaveAttribute('data-active', 'true');
  await expect.poll(() => messagesOf(page)).toEqual(second);
  await item(page, 'Hello').getByTestId('conversation-title').click();
  await expect(item(page, 'Hello')).toHaveAttribute('data-active', 'true');
  await expect.poll(() => messagesOf(page)).toEqual(first);
  expect(first.map((m) => m.slice(0, 3))).toEqual([
    ['user', 'Hello', 'done'],
    ['assistant', DEMO_REPLY, 'done'],
    ['user', 'And a second turn', 'done'],
    ['assistant', DEMO_REPLY, 'done'],
  ]);

  // Rename (kept across a reload), search over titles and message text.
  await item(page, 'Hello').getByTestId('rename-conversation').click();
  await page.getByTestId('rename-input').fill('Greetings');
  await page.getByTestId('rename-input').press('Enter');
  await page.getByTestId('conversation-search').fill('second turn');
  await expect(page.getByTestId('conversation-title')).toHaveText(['Greetings']);
  await page.getByTestId('conversation-search').fill('');

  // Delete, undo, delete again: gone after a reload too.
  await item(page, 'foxes').getByTestId('delete-conversation').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(['Greetings']);
  await page.getByTestId('undo-delete').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(['Another chat about foxes', 'Greetings']);
  await item(page, 'foxes').getByTestId('delete-conversation').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(['Greetings']); // the delete is stored before the reload
  await page.reload();
  await waitForReady(page);
  await expect(page.getByTestId('conversation-title')).toHaveText(['Greetings']);
  await expect.poll(() => messagesOf(page)).toEqual(first);

  // A second tab: each writes its own conversation, and neither loses the other's.
  const tab2 = await context.newPage();
  await tab2.goto('/');
  await waitForReady(tab2);
  await tab2.getByTestId('new-chat-button').click();
  await sendMessage(tab2, 'From the second tab');
  await expect(lastAssistant(tab2)).toHaveAttribute('data-state', 'done');
  await sendMessage(page, 'A third turn in the first tab');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('conversation-title')).toHaveText(['Greetings', 'From the second tab']);
  await tab2.reload();
  await expect(tab2.getByTestId('conversation-title')).toHaveText(['Greetings', 'From the second tab']);
  await tab2.getByTestId('conversation-title').first().click();
  await expect(tab2.getByTestId('message')).toHaveCount(6);
  await tab2.close();
});

test('edit and regenerate keep the earlier versions as branches, and the prompt sent is the branch on screen', async ({ page }) => {
  await page.goto('/?panel=template');
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await sendMessage(page, 'Tell me about owls');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');

  // Edit the second message: a new branch; the prompt holds the edited text, not the original.
  const users = page.locator('[data-testid=message][data-role=user]');
  await users.nth(1).getByTestId('edit-button').click();
  await page.getByTestId('edit-input').fill('Tell me about herons');
  await page.getByTestId('edit-save').click();
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(users.nth(1)).toHaveAttribute('data-branch', '2/2');
  await expect(users.nth(1).getByTestId('message-content')).toHaveText('Tell me about herons');
  await expect(promptText(page)).toHaveText(
    `GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: ${DEMO_REPLY}<|end_of_turn|>GPT4 Correct User: Tell me about herons<|end_of_turn|>GPT4 Correct Assistant:`,
  );

  // Back to the first version: its reply is there again; regenerating it sends that branch.
  await users.nth(1).getByTestId('branch-prev').click();
  await expect(users.nth(1)).toHaveAttribute('data-branch', '1/2');
  await expect(users.nth(1).getByTestId('message-content')).toHaveText('Tell me about owls');
  await lastAssistant(page).getByTestId('regenerate-button').click();
  await expect(lastAssistant(page)).toHaveAttribute('data-branch', '2/2');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(promptText(page)).toContainText('GPT4 Correct User: Tell me about owls<|end_of_turn|>GPT4 Correct Assistant:');
  await expect(promptText(page)).not.toContainText('herons');
  await lastAssistant(page).getByTestId('branch-prev').click();
  await expect(lastAssistant(page)).toHaveAttribute('data-branch', '1/2');

  // Copy puts the message's text on the clipboard; delete removes a message and what follows it.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await users.nth(1).getByTestId('copy-button').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Tell me about owls');
  await lastAssistant(page).getByTestId('delete-button').click();
  // The other reply to the same message takes the deleted one's place.
  await expect(page.getByTestId('message')).toHaveCount(4);
  await expect(lastAssistant(page)).not.toHaveAttribute('data-branch', /./);
  await users.nth(1).getByTestId('delete-button').click();
  await expect(users.nth(1).getByTestId('message-content')).toHaveText('Tell me about herons');
  await expect(page.getByTestId('message')).toHaveCount(4);
  await users.nth(1).getByTestId('delete-button').click();
  await expect(page.getByTestId('message')).toHaveCount(2);
  // The next message follows the branch that is left.
  await sendMessage(page, 'Bye');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(promptText(page)).toHaveText(
    `GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: ${DEMO_REPLY}<|end_of_turn|>GPT4 Correct User: Bye<|end_of_turn|>GPT4 Correct Assistant:`,
  );

  // The system prompt belongs to the conversation: kept across a reload, not carried into a new chat.
  await page.getByTestId('system-prompt').fill('Be brief.');
  await page.waitForTimeout(500); // saved once typing pauses
  await page.reload();
  await waitForReady(page);
  await expect(page.getByTestId('system-prompt')).toHaveValue('Be brief.');
  await page.getByTestId('new-chat-button').click();
  await expect(page.getByTestId('system-prompt')).toHaveValue('');
  await page.getByTestId('conversation-title').first().click();
  await expect(page.getByTestId('system-prompt')).toHaveValue('Be brief.');
});

test('with a small context, the oldest turns leave the prompt behind a visible marker, and the chat goes on', async ({ page }) => {
  await page.goto('/?ctx=256&panel=template');
  await waitForReady(page);
  // Each exchange is about 55 tokens and a prompt may hold 256 - 64 (a quarter stays free for the reply).
  const marker = page.getByTestId('context-marker');
  let sent = 0;
  for (const text of ['First question', 'Second question', 'Third question', 'Fourth question', 'Fifth question', 'Sixth question']) {
    await sendMessage(page, text);
    sent++;
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    if ((await marker.count()) > 0) break;
  }
  expect(sent).toBeGreaterThanOrEqual(3); // the first turns fit whole
  await expect(marker).toHaveCount(1);
  const hidden = Number(await marker.getAttribute('data-hidden-turns'));
  expect(hidden).toBeGreaterThanOrEqual(2);
  expect(hidden % 2).toBe(0); // whole exchanges
  // The marker stands before the first message the model still sees, and the prompt starts there.
  const seen = page.locator('[data-testid=context-marker] ~ [data-testid=message]');
  const firstSeen = (await seen.first().getByTestId('message-content').textContent()) ?? '';
  await expect(promptText(page)).toHaveText(new RegExp(`^GPT4 Correct User: ${firstSeen}<\\|end_of_turn\\|>`));
  await expect(promptText(page)).not.toContainText('First question');
  expect(Number(await page.getByTestId('prompt-tokens').getAttribute('data-count'))).toBeLessThanOrEqual(256 - 64);
  await expect(page.getByTestId('message')).toHaveCount(2 * sent); // nothing was removed from the conversation
  // One more turn still fits, with the marker moved on.
  await sendMessage(page, 'One more');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  await expect(promptText(page)).toContainText('One more');
});

test('a reply streaming when its tab closes comes back as stopped, with its text so far', async ({ page, context, modelServer }) => {
  const url = `/?model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}`;
  // The whole 600-token reply: the own engine writes the default 256 in under 2 s here, which can end
  // before the check below that the reply is still streaming.
  await context.addInitScript(({ key }) => localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? '{}'), max_tokens: 600 })), { key: PREF_KEYS.settings });
  await page.goto(url);
  await waitForReady(page);
  await sendMessage(page, 'Tell me everything');
  // Closed as soon as the streaming reply has been saved with some words (about once a second): a fixed
  // wait once let the reply (600 tokens at 183 tok/s) end before the tab closed.
  const savedWords = (): Promise<number> =>
    page.evaluate(
      (name) =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open(name);
          open.onerror = () => resolve(0);
          open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction('conversations').objectStore('conversations').getAll();
            all.onerror = () => resolve(0);
            all.onsuccess = () => {
              const replies = (all.result as { messages: { role: string; content: string }[] }[]).flatMap((c) => c.messages).filter((m) => m.role === 'assistant');
              db.close();
              resolve(Math.max(0, ...replies.map((m) => m.content.split(' ').length)));
            };
          };
        }),
      CONVERSATION_DB,
    );
  await expect.poll(savedWords, { intervals: [50] }).toBeGreaterThan(5);
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'streaming');
  await page.close();

  const again = await context.newPage();
  await again.goto(url);
  const reply = lastAssistant(again);
  await expect(reply).toHaveAttribute('data-state', 'stopped');
  const partial = (await reply.getByTestId('message-content').textContent()) ?? '';
  expect(partial.split(' ').length).toBeGreaterThan(5);
  expect(partial.length).toBeLessThan(MODELS.long.reply.length);
  expect(MODELS.long.reply.startsWith(partial)).toBe(true);
  await expect(again.locator('[data-testid=message][data-role=user]').getByTestId('message-content')).toHaveText('Tell me everything');
});
