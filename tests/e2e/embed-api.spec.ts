/**
 * The widget's postMessage API (README "Embed it", web/src/lib/embed/protocol.ts), driven the way a
 * site owner's page drives it: a host page on another origin (another 127.0.0.1 port, no COOP/COEP)
 * frames the built widget, posts starling:* messages to it and records every answer.
 */
import type { Page } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { DEMO_REPLY, MODELS } from '../../tools/models/catalog';
import { startHostSite, type HostSite } from '../fixtures/host-site';
import { expect, test } from './fixtures';

type Msg = { type: string; id?: unknown; [k: string]: unknown };

/** A host page: the widget in an iframe, every message from the widget's origin recorded, and `send`. */
function hostPage(widgetSrc: string, extra = ''): string {
  return `<!doctype html><meta charset="utf-8"><title>host</title>
<h1>A plain host page</h1>
<iframe id="w" src="${widgetSrc}" width="420" height="520" allow="cross-origin-isolated"></iframe>
${extra}
<script>
  window.__msgs = [];
  const frame = document.getElementById('w');
  const APP = new URL(frame.src).origin;
  addEventListener('message', (e) => { if (e.origin === APP && e.source === frame.contentWindow) window.__msgs.push(e.data); });
  window.send = (m) => frame.contentWindow.postMessage(m, APP);
</script>`;
}

const messages = (page: Page): Promise<Msg[]> => page.evaluate(() => (window as unknown as { __msgs: Msg[] }).__msgs);
const send = (page: Page, m: unknown): Promise<void> => page.evaluate((msg) => (window as unknown as { send: (m: unknown) => void }).send(msg), m);

/** The first recorded message that matches, once it arrives. */
async function waitForMessage(page: Page, match: (m: Msg) => boolean, timeout = 60_000): Promise<Msg> {
  let found: Msg | undefined;
  await expect
    .poll(
      async () => {
        found = (await messages(page)).find(match);
        return found !== undefined;
      },
      { timeout },
    )
    .toBe(true);
  return found!;
}

const of = (type: string, id?: unknown) => (m: Msg) => m.type === type && (id === undefined || m.id === id);

let host: HostSite;
let third: HostSite;
test.beforeEach(async () => {
  host = await startHostSite();
  third = await startHostSite();
});
test.afterEach(async () => {
  await host.close();
  await third.close();
});

const widgetUrl = (baseURL: string | undefined, query: string) => `${baseURL}/embed.html?${query}`;

test('a host page streams a reply: ready, the exact reply as tokens and in done, usage with the app’s token count; stream false, bad input and tokenize', async ({ page, baseURL }) => {
  await page.goto(host.page('/host.html', hostPage(widgetUrl(baseURL, `parent=${encodeURIComponent(host.url)}`))));
  const ready = await waitForMessage(page, of('starling:ready'));
  expect(ready).toMatchObject({ backend: 'cpu', threads: 1, ctx: 4096 });
  expect(String(ready.model)).toContain('demo');

  await send(page, { type: 'starling:run', id: 'r1', input: { prompt: 'Hello', stream: true } });
  const done = await waitForMessage(page, of('starling:done', 'r1'));
  const tokens = (await messages(page)).filter(of('starling:token', 'r1')).map((m) => m.response as string);
  expect(tokens.length).toBeGreaterThan(5);
  expect(tokens.join('')).toBe(DEMO_REPLY);
  expect(done).toMatchObject({ response: DEMO_REPLY, finish_reason: 'stop' });

  // The run shows in the widget's chat as if typed, and its stats give the engine's own counts.
  const frame = page.frameLocator('#w');
  await expect(frame.locator('[data-testid=message][data-role=user]').last()).toContainText('Hello');
  const reply = frame.locator('[data-testid=message][data-role=assistant]').last();
  await expect(reply).toHaveAttribute('data-state', 'done');
  await expect(reply.getByTestId('message-content')).toHaveText(DEMO_REPLY);
  const evaluated = Number(await reply.getAttribute('data-prompt-tokens'));
  const reused = Number(await reply.getAttribute('data-cached-tokens'));
  const generated = Number(await reply.getAttribute('data-gen-tokens'));

  // The app's own tokenization of the model card's prompt, asked through the API itself.
  await send(page, { type: 'starling:tokenize', id: 't1', text: 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:', raw: true });
  const ids = (await waitForMessage(page, of('starling:tokens', 't1'))).ids as number[];
  expect(ids[0]).toBe(1); // BOS, then the template's tokens (32000 is <|end_of_turn|>)
  expect(ids).toContain(32000);
  const usage = done.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  expect(usage.prompt_tokens).toBe(ids.length);
  expect(usage.prompt_tokens).toBe(evaluated + reused); // what llama.cpp itself evaluated or reused
  expect(usage.completion_tokens).toBe(generated);
  expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  // As message text (the default), special-token text stays text.
  await send(page, { type: 'starling:tokenize', id: 't2', text: '<|end_of_turn|>' });
  expect((await waitForMessage(page, of('starling:tokens', 't2'))).ids).not.toContain(32000);

  // stream false: only done.
  await send(page, { type: 'starling:run', id: 'r2', input: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] } });
  expect(await waitForMessage(page, of('starling:done', 'r2'))).toMatchObject({ response: DEMO_REPLY, finish_reason: 'stop' });
  expect((await messages(page)).filter(of('starling:token', 'r2'))).toHaveLength(0);

  // Bad input: an error naming the field and the rule, and nothing runs.
  const before = await frame.getByTestId('message').count();
  await send(page, { type: 'starling:run', id: 'bad1', input: { prompt: 'Hi', temperature: 9 } });
  await send(page, { type: 'starling:run', id: 'bad2', input: { prompt: '' } });
  await send(page, { type: 'starling:run', id: 'bad3', input: { prompt: 'Hi', messages: [{ role: 'user', content: 'Hi' }] } });
  await send(page, { type: 'starling:run', input: { prompt: 'Hi' } });
  expect((await waitForMessage(page, of('starling:error', 'bad1'))).error).toMatchObject({ kind: 'invalid-input', field: 'temperature', message: 'temperature must be at most 5 (got 9).' });
  expect((await waitForMessage(page, of('starling:error', 'bad2'))).error).toMatchObject({ kind: 'invalid-input', field: 'prompt' });
  expect((await waitForMessage(page, of('starling:error', 'bad3'))).error).toMatchObject({ kind: 'invalid-input', field: 'input', message: expect.stringContaining('not both') });
  expect((await waitForMessage(page, (m) => m.type === 'starling:error' && m.id === null)).error).toMatchObject({ kind: 'invalid-message' });
  await page.waitForTimeout(500);
  expect(await frame.getByTestId('message').count()).toBe(before);
  expect((await messages(page)).filter((m) => m.type === 'starling:done' && String(m.id).startsWith('bad'))).toHaveLength(0);
  // The frame told its height at least once.
  expect((await messages(page)).some((m) => m.type === 'starling:resize' && typeof m.height === 'number' && (m.height as number) > 100)).toBe(true);

  // The widget keeps its conversation for this host: the host page reloaded shows it again.
  await page.reload();
  await waitForMessage(page, of('starling:ready'));
  await expect(frame.locator('[data-testid=message][data-role=user]').last()).toContainText('Hi');
  await expect(frame.locator('[data-testid=message][data-role=assistant]').last().getByTestId('message-content')).toHaveText(DEMO_REPLY);
});

test('cancel stops the running reply (finish_reason cancelled) and takes a waiting run out of the queue', async ({ page, baseURL, modelServer }) => {
  const model = `${modelServer.url}/models/${MODELS.long.file}`;
  await page.goto(host.page('/host.html', hostPage(widgetUrl(baseURL, `parent=${encodeURIComponent(host.url)}&model=${encodeURIComponent(model)}`))));
  await waitForMessage(page, of('starling:ready'));
  await send(page, { type: 'starling:run', id: 'long', input: { prompt: 'Tell me everything', stream: true, max_tokens: 500 } });
  await send(page, { type: 'starling:run', id: 'queued', input: { prompt: 'And then?' } });
  await send(page, { type: 'starling:cancel', id: 'queued' });
  expect(await waitForMessage(page, of('starling:done', 'queued'))).toMatchObject({ response: '', finish_reason: 'cancelled' });
  await expect.poll(async () => (await messages(page)).filter(of('starling:token', 'long')).length).toBeGreaterThan(10);
  await send(page, { type: 'starling:cancel', id: 'long' });
  const done = await waitForMessage(page, of('starling:done', 'long'));
  expect(done.finish_reason).toBe('cancelled');
  const text = done.response as string;
  expect(text.length).toBeGreaterThan(0);
  expect(text.length).toBeLessThan(MODELS.long.reply!.length);
  expect(MODELS.long.reply!.startsWith(text)).toBe(true);
  await expect(page.frameLocator('#w').locator('[data-testid=message][data-role=assistant]').last()).toHaveAttribute('data-state', 'stopped');
  await send(page, { type: 'starling:cancel', id: 'nothing' });
  expect((await waitForMessage(page, of('starling:error', 'nothing'))).error).toMatchObject({ kind: 'unknown-run' });
});

test('a page on a third origin that posts to the widget gets no answer and starts nothing; a page that claims another parent gets nothing either', async ({ page, baseURL }) => {
  // The third origin is framed by the host page beside the widget, and reaches it through parent.frames.
  const spy = third.page(
    '/spy.html',
    `<!doctype html><script>
      window.__got = [];
      addEventListener('message', (e) => window.__got.push(e.data));
      setInterval(() => parent.frames[0].postMessage({ type: 'starling:run', id: 'spy', input: { prompt: 'Hello', stream: true } }, '*'), 200);
    </script>`,
  );
  await page.goto(host.page('/host.html', hostPage(widgetUrl(baseURL, `parent=${encodeURIComponent(host.url)}`), `<iframe id="spy" src="${spy}"></iframe>`)));
  await waitForMessage(page, of('starling:ready'));
  await page.waitForTimeout(1500);
  const spyFrame = page.frames().find((f) => f.url() === spy)!;
  expect(await spyFrame.evaluate(() => (window as unknown as { __got: unknown[] }).__got)).toEqual([]);
  expect((await messages(page)).filter((m) => m.id === 'spy')).toHaveLength(0);
  await expect(page.frameLocator('#w').getByTestId('message')).toHaveCount(0);

  // A page on the third origin that frames the widget with the host's origin as parent=.
  const liar = await page.context().newPage();
  await liar.goto(third.page('/liar.html', hostPage(widgetUrl(baseURL, `parent=${encodeURIComponent(host.url)}`))));
  await expect(liar.frameLocator('#w').getByTestId('embed-notice')).toContainText('does not match');
  await send(liar, { type: 'starling:run', id: 'x', input: { prompt: 'Hello' } });
  await liar.waitForTimeout(1500);
  expect(await messages(liar)).toEqual([]);
  await expect(liar.frameLocator('#w').getByTestId('message')).toHaveCount(0);
});

test.describe('threads', () => {
  test.use({ threadsPref: null });
  test('the widget is cross-origin isolated inside a host page that is not, and runs on two threads', async ({ page, baseURL }) => {
    await page.goto(host.page('/host.html', hostPage(widgetUrl(baseURL, `parent=${encodeURIComponent(host.url)}&threads=2`))));
    const ready = await waitForMessage(page, of('starling:ready'));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const frame = page.frames().find((f) => f.url().includes('/embed.html'))!;
    expect(await frame.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await frame.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    expect(ready.threads).toBe(2);
  });
});

test('ui=none draws no chat and answers through the API; system= is the system prompt of its runs', async ({ page, baseURL }) => {
  await page.goto(host.page('/host.html', hostPage(widgetUrl(baseURL, `parent=${encodeURIComponent(host.url)}&ui=none&system=${encodeURIComponent('Answer in one short sentence.')}`))));
  await waitForMessage(page, of('starling:ready'));
  await send(page, { type: 'starling:run', id: 'h1', input: { messages: [{ role: 'user', content: 'Hello' }] } });
  const done = await waitForMessage(page, of('starling:done', 'h1'));
  expect(done).toMatchObject({ response: DEMO_REPLY });
  const frame = page.frameLocator('#w');
  await expect(frame.getByTestId('chat-input')).toHaveCount(0);
  await expect(frame.getByTestId('message')).toHaveCount(0);
  // The prompt held the system prompt: more tokens than the same message without one.
  await send(page, { type: 'starling:tokenize', id: 't', text: 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:', raw: true });
  const bare = ((await waitForMessage(page, of('starling:tokens', 't'))).ids as number[]).length;
  await send(page, { type: 'starling:tokenize', id: 's', text: 'Answer in one short sentence.' });
  const system = ((await waitForMessage(page, of('starling:tokens', 's'))).ids as number[]).length - 1; // less BOS
  expect((done.usage as { prompt_tokens: number }).prompt_tokens).toBeGreaterThanOrEqual(bare + system);
});

test.describe('the deployer’s embed-config.json', () => {
  // Its own server on its own copy of the build: the file must not reach tests that frame the widget meanwhile.
  let app: { url: string; close(): Promise<void> };
  let dir: string;
  test.beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'starling-embed-config-'));
    cpSync(process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url)), dir, { recursive: true });
    const server = await preview({ configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), build: { outDir: dir }, preview: { port: 0, strictPort: false }, logLevel: 'silent' });
    app = { url: server.resolvedUrls!.local[0].replace(/\/$/, ''), close: () => server.close() };
  });
  test.afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('only the listed hosts may frame the widget (frame-ancestors) and use it; model= only from the listed hosts', async ({ page, modelServer, request }) => {
    writeFileSync(join(dir, 'embed-config.json'), JSON.stringify({ hosts: [host.url], modelHosts: [host.url] }));
    const headers = (await request.get(`${app.url}/embed.html`)).headers();
    expect(headers['content-security-policy']).toContain(`frame-ancestors 'self' ${host.url}`);

    // A listed host: the API answers.
    await page.goto(host.page('/host.html', hostPage(widgetUrl(app.url, `parent=${encodeURIComponent(host.url)}`))));
    await waitForMessage(page, of('starling:ready'));

    // An unlisted host cannot frame it at all: the browser refuses the frame.
    const other = await page.context().newPage();
    await other.goto(third.page('/host.html', hostPage(widgetUrl(app.url, `parent=${encodeURIComponent(third.url)}`))));
    await other.waitForTimeout(1500);
    await expect(other.frameLocator('#w').getByTestId('model-status')).toHaveCount(0);
    expect(await messages(other)).toEqual([]);

    // Opened with an unlisted parent (where no header stops it), the widget says so and starts nothing.
    await other.goto(widgetUrl(app.url, `parent=${encodeURIComponent(third.url)}`));
    await expect(other.getByTestId('embed-notice')).toContainText(`not available on ${third.url}`);
    await expect(other.getByTestId('model-status')).not.toHaveAttribute('data-state', 'ready');

    // A model from a host not in modelHosts is refused with its reason, and nothing is downloaded.
    await other.goto(widgetUrl(app.url, `model=${encodeURIComponent(`${modelServer.url}/models/${MODELS.long.file}`)}`));
    await expect(other.getByTestId('error-banner')).toHaveAttribute('data-kind', 'model-host-refused');
    expect(modelServer.requests.filter((r) => r.path.includes(MODELS.long.file))).toHaveLength(0);

    // A file that does not parse shuts the widget off and says why.
    writeFileSync(join(dir, 'embed-config.json'), '{"hosts": "everyone"}');
    await other.goto(widgetUrl(app.url, ''));
    await expect(other.getByTestId('embed-notice')).toContainText('list of origins');
  });
});
