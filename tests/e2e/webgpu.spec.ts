import type { Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../tools/chromium';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// SwiftShader's WebGPU adapter: present, but without shader-f16, which wllama's WebGPU backend needs.
test.use({ launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

const stats = (page: Page) => page.getByTestId('gen-stats');

async function replyOnce(page: Page): Promise<void> {
  await sendMessage(page, 'Hello');
  await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
}

test.describe('WebGPU present but without shader-f16 (SwiftShader)', () => {
  for (const backend of ['auto', 'webgpu']) {
    test(`backend=${backend}: the app runs on the CPU and says why`, async ({ page }) => {
      await page.goto(`/?backend=${backend}&panel=settings`);
      // The precondition: this browser does expose a WebGPU adapter, just not one wllama can use.
      const adapter = await page.evaluate(async () => {
        const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
        const a = await gpu?.requestAdapter();
        return a ? { f16: a.features.has('shader-f16') } : null;
      });
      expect(adapter).toEqual({ f16: false });
      await waitForReady(page);
      await expect(page.getByTestId('engine-info')).toHaveAttribute('data-backend', 'cpu');
      await expect(page.getByTestId('backend-reason')).toContainText('lacks shader-f16');
      await expect(page.getByTestId('backend-tag')).toHaveAttribute('title', /lacks shader-f16/);
      await replyOnce(page);
      await expect(stats(page)).toHaveAttribute('data-backend', 'cpu');
    });
  }
});

