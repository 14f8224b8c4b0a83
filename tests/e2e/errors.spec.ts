import { MODELS } from '../../tools/models/catalog';
import { cacheEntriesFor, expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

// retry: whether "Try again" may be offered (never where it cannot help).
const cases = [
  { name: 'an HTML page instead of a GGUF file', prefix: 'html', kind: 'html-not-gguf', text: /web page/, retry: false },
  { name: 'a truncated GGUF file', prefix: 'truncated', kind: 'truncated', text: /truncated|cut short/, retry: true },
  { name: 'a missing file (404)', prefix: 'missing', kind: 'http-404', text: /404/, retry: false },
  { name: 'a legacy GGML file', prefix: 'ggml', kind: 'ggml-legacy', text: /GGML/, retry: false },
] as const;

test.describe('a bad model URL gives a specific error and leaves nothing in the cache', () => {
  for (const c of cases) {
    test(`${c.name} shows error-banner kind "${c.kind}"`, async ({ page, modelServer }) => {
      const url = `${modelServer.url}/${c.prefix}/${MODELS.demo.file}`;
      await page.goto(`/?model=${encodeURIComponent(url)}`);
      const banner = page.getByTestId('error-banner');
      await expect(banner).toHaveAttribute('data-kind', c.kind);
      await expect(banner).toContainText(c.text);
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
      await expect(page.getByTestId('retry-button')).toHaveCount(c.retry ? 1 : 0);
      expect(await cacheEntriesFor(page, url)).toBe(0);

      // The app stays usable: switch to the demo model and chat.
      await page.getByTestId('model-picker-toggle').click();
      await page.getByTestId('use-demo-model').click();
      await waitForReady(page);
      await expect(banner).toHaveCount(0);
      await sendMessage(page, 'Hello');
      await expect(lastAssistant(page)).toHaveAttribute('data-state', 'done');
    });
  }
});

test('a page that may not start workers shows a clear error, not a spinner', async ({ page }) => {
  // Serve the app page with a CSP that forbids workers, as a strict host page might.
  await page.route(/\/(\?.*)?$/, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': "worker-src 'none'" } });
  });
  await page.goto('/');
  await expect(page.getByTestId('error-banner')).toHaveAttribute('data-kind', 'worker-unavailable');
  await expect(page.getByTestId('error-banner')).toContainText(/Content-Security-Policy/);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
  // The page goes on asking for / (HEAD, to see whether it is online): a request still in the route
  // when the test ends failed the next test ("route.fetch: Test ended").
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});
