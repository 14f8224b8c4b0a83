/**
 * Narrow screens and accessibility, on one page load: at 390 × 844 and 768 × 1024 nothing overflows
 * sideways (chat, Models dialog, each side panel, the chat list), the Models button stays reachable, the dialog
 * traps focus, Escape closes what is on top, and axe finds no serious or critical violation.
 * Screenshots of each state are saved with the test's output.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

const PANELS = ['template', 'storage', 'settings'] as const;

async function noSidewaysOverflow(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  expect(scrollWidth, `${name}: page width ${scrollWidth} > viewport ${clientWidth}`).toBeLessThanOrEqual(clientWidth);
}

async function noSeriousAxeViolations(page: Page, name: string, include?: string): Promise<void> {
  // Only violations are collected (passes are most of axe's work on a long catalogue or panel).
  const axe = new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
  const { violations } = await (include ? axe.include(include) : axe).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, name).toEqual([]);
}

/** On a narrow screen the header's buttons are behind ☰. */
async function headerButton(page: Page, testId: string): Promise<void> {
  const button = page.getByTestId(testId);
  if (!(await button.isVisible())) await page.getByTestId('menu-button').click();
  await expect(button).toBeVisible();
  await button.click();
}

test('at 390 and 768 px nothing overflows, the menu reaches every control, and axe finds nothing serious', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await waitForReady(page);
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
  // Announced once, when done: a polite live region apart from the chat, which is not live itself.
  await expect(page.getByTestId('reply-announcer')).toHaveText(`Reply finished: ${DEMO_REPLY}`);
  await expect(page.locator('main[aria-live]')).toHaveCount(0);

  for (const [width, height] of [
    [390, 844],
    [768, 1024],
  ] as const) {
    await page.setViewportSize({ width, height });
    const at = `${width}x${height}`;
    await noSidewaysOverflow(page, testInfo, `chat-${at}`);
    if (width === 390) await noSeriousAxeViolations(page, 'chat');

    // The Models dialog: reachable, modal (Tab stays inside), closed by Escape, focus back on its button.
    await headerButton(page, 'model-picker-toggle');
    const dialog = page.getByTestId('model-library');
    await expect(dialog).toBeVisible();
    await noSidewaysOverflow(page, testInfo, `models-${at}`);
    if (width === 390) {
      await noSeriousAxeViolations(page, 'Models dialog', '[data-testid=model-library]');
      for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid=model-library]'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('model-picker-toggle')).toBeFocused();
    if (await page.getByTestId('menu-button').isVisible()) {
      await page.keyboard.press('Escape'); // then the menu closes
      await expect(page.getByTestId('model-picker-toggle')).toBeHidden();
    }

    for (const panel of PANELS) {
      await headerButton(page, `open-${panel}`);
      await expect(page.getByTestId(`panel-${panel}`)).toBeVisible();
      await noSidewaysOverflow(page, testInfo, `${panel}-${at}`);
      if (width === 390) await noSeriousAxeViolations(page, `${panel} panel`, 'aside');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId(`panel-${panel}`)).toBeHidden();
    }

    // The chat list: a drawer at these widths, over the chat; Escape closes it.
    await headerButton(page, 'open-conversations');
    await expect(page.getByTestId('conversation-item')).toHaveCount(1);
    await noSidewaysOverflow(page, testInfo, `chats-${at}`);
    if (width === 390) await noSeriousAxeViolations(page, 'chat list', '[data-testid=conversation-list]');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('conversation-list')).toBeHidden();
    if (await page.getByTestId('menu-button').isVisible() && (await page.getByTestId('open-conversations').isVisible())) await page.keyboard.press('Escape');
  }
});
