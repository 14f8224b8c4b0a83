import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

/** The parts of an export file the test reads. */
interface Exported {
  app: string;
  schemaVersion: number;
  conversations: { id: string; template: string; messages: { id: string; role: string; content: string }[] }[];
}

/** Roles and texts of the messages on screen, in order. */
const shownMessages = (page: Page): Promise<{ role: string | null; text: string | null }[]> =>
  page.getByTestId('message').evaluateAll((els) =>
    els.map((el) => ({ role: el.getAttribute('data-role'), text: el.querySelector('[data-testid=message-content]')?.textContent ?? null })),
  );

/** A fresh profile (empty IndexedDB) with the fixtures' one-thread preference, so it measures no threads. */
async function freshContext(browser: Browser): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  await ctx.addInitScript(({ key }) => localStorage.setItem(key, JSON.stringify({ backend: 'auto', threads: 1 })), { key: PREF_KEYS.engine });
  return ctx;
}

test.describe('conversation export and import', () => {
  test('export then import into a fresh profile gives the same conversation; a malformed file is refused and changes nothing', async ({ browser, context, page }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/');
    await waitForReady(page);
    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('conversation-item')).toHaveCount(1);
    const before = await shownMessages(page);
    expect(before).toEqual([
      { role: 'user', text: 'Hello' },
      { role: 'assistant', text: DEMO_REPLY },
    ]);

    // Copy as Markdown: the turns as **User** / **Assistant** blocks.
    await page.getByTestId('copy-markdown').click();
    await expect(page.getByTestId('import-result')).toHaveAttribute('data-ok', 'true');
    const md = await page.evaluate(() => navigator.clipboard.readText());
    expect(md).toContain(`**User**\n\nHello\n\n**Assistant**\n\n${DEMO_REPLY}`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-conversation').click()]);
    expect(download.suggestedFilename()).toMatch(/^starling-chat-hello-\d{4}-\d\d-\d\d\.json$/);
    const file = await download.path();
    const exported = JSON.parse(await readFile(file, 'utf8')) as Exported;
    expect(exported).toMatchObject({ app: 'starling-playground', schemaVersion: 1 });
    expect(exported.conversations).toHaveLength(1);
    expect(exported.conversations[0].template).toBe('openchat');
    expect(exported.conversations[0].messages.map((m) => ({ role: m.role, text: m.content }))).toEqual(before);

    // The first profile's engine stops, so the second page does not share the two cores with it.
    await page.close();
    const fresh = await freshContext(browser);
    try {
      const other = await fresh.newPage();
      await other.goto('/');
      await expect(other.getByTestId('conversation-item')).toHaveCount(0);
      // Through the visible button, as a user would: it opens the file chooser.
      const [chooser] = await Promise.all([other.waitForEvent('filechooser'), other.getByTestId('import-conversations').click()]);
      await chooser.setFiles(file);
      const result = other.getByTestId('import-result');
      await expect(result).toHaveAttribute('data-ok', 'true');
      await expect(other.getByTestId('conversation-item')).toHaveCount(1);
      await other.getByTestId('conversation-item').click();
      await expect.poll(() => shownMessages(other)).toEqual(before);

      // "Export all" of the new profile: the same conversation, under fresh ids (an import overwrites nothing).
      const [all] = await Promise.all([other.waitForEvent('download'), other.getByTestId('export-all').click()]);
      expect(all.suggestedFilename()).toMatch(/^starling-chats-\d{4}-\d\d-\d\d\.json$/);
      const again = JSON.parse(await readFile(await all.path(), 'utf8')) as Exported;
      expect(again.conversations).toHaveLength(1);
      expect(again.conversations[0].messages.map((m) => ({ role: m.role, text: m.content }))).toEqual(before);
      expect(again.conversations[0].id).not.toBe(exported.conversations[0].id);
      expect(again.conversations[0].messages[0].id).not.toBe(exported.conversations[0].messages[0].id);

      const input = other.getByTestId('import-file');
      await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"app": "starling-playground",') });
      await expect(result).toHaveAttribute('data-ok', 'false');
      await expect(result).toContainText('not valid JSON');

      const wrong = structuredClone(exported);
      wrong.conversations[0].messages[0].role = 'system';
      await input.setInputFiles({ name: 'wrong.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wrong)) });
      await expect(result).toContainText('Conversation 1, message 1: role must be user or assistant');
      await expect(result).toHaveAttribute('data-ok', 'false');

      // Nothing changed, in the list or in the database (a reload reads it back).
      await expect(other.getByTestId('conversation-item')).toHaveCount(1);
      await other.reload();
      await expect(other.getByTestId('conversation-item')).toHaveCount(1);
    } finally {
      await fresh.close();
    }
  });
});
