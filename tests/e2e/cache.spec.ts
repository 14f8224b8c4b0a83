import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { expect, lastAssistant, sendMessage, test, waitForReady } from './fixtures';

test.describe('models load from the IndexedDB cache', () => {
  test('after a reload the model loads from IndexedDB with the model server stopped', async ({ page, modelServer }) => {
    const url = `${modelServer.url}/models/${MODELS.demo.file}`;
    await page.goto(`/?model=${encodeURIComponent(url)}`);
    await waitForReady(page);
    await expect(page.getByTestId('model-status')).not.toContainText('from cache');
    expect(modelServer.requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(0);

    await modelServer.close();
    const seen = modelServer.requests.length;
    const modelRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(modelServer.url)) modelRequests.push(r.url());
    });
    await page.reload();
    await waitForReady(page);
    await expect(page.getByTestId('model-status')).toContainText('from cache');
    expect(modelRequests).toEqual([]);
    expect(modelServer.requests.length).toBe(seen);

    await sendMessage(page, 'Hello');
    await expect(lastAssistant(page).getByTestId('message-content')).toHaveText(DEMO_REPLY);
  });

  test('the default model is fetched once; later visits do not request it', async ({ page }) => {
    const fetched: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/models/')) fetched.push(r.url());
    });
    await page.goto('/');
    await waitForReady(page);
    expect(fetched.length).toBeGreaterThan(0);
    fetched.length = 0;
    await page.reload();
    await waitForReady(page);
    expect(fetched).toEqual([]);
  });
});
