/**
 * Fixtures for the scenarios every browser engine runs (playwright.config.ts has one project per
 * engine): a fresh browser session per test through tests/engines/drivers.ts, a local model server,
 * and helpers that read the app's test contract (data-testids) by polling, the same way in each.
 */
import { expect, test as base } from '@playwright/test';
import { startModelServer, type ModelServer } from '../fixtures/model-server';
import { TEST_MODEL_DIR } from '../fixtures/test-models';
import { openEngine, within, type EngineDriver, type EngineName } from './drivers';

export const test = base.extend<{ driver: EngineDriver; modelServer: ModelServer }, { engine: EngineName }>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  driver: async ({ engine }, use) => {
    const driver = await openEngine(engine);
    await use(driver);
    await driver.close();
  },
  // Playwright requires the (empty) fixture destructuring here.
  // eslint-disable-next-line no-empty-pattern
  modelServer: async ({}, use) => {
    const server = await startModelServer(TEST_MODEL_DIR);
    await use(server);
    await server.close();
  },
});

export { expect };

/** The longest one look into the page may take: a page that stops answering fails with what it last said. */
const EVALUATE_MS = 15_000;

/** Polls `expression` in the page until `done(value)`; fails with the last value seen. */
export async function waitFor<T>(driver: EngineDriver, expression: string, done: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    const look = driver.evaluate<T>(expression);
    look.catch(() => {}); // one that is given up on may still fail later, when the browser closes
    try {
      last = await within(look, EVALUATE_MS, `${driver.engine}: reading the page`);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)} while waiting for ${what}; last seen: ${JSON.stringify(last)}`, { cause: e });
    }
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`${driver.engine}: timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface ModelStatus {
  state: string | null;
  text: string;
  errorKind: string | null;
  error: string | null;
}

const STATUS = `(() => {
  const s = document.querySelector('[data-testid=model-status]');
  const b = document.querySelector('[data-testid=error-banner]');
  return { state: s ? s.getAttribute('data-state') : null, text: s ? s.textContent.trim() : '', errorKind: b ? b.getAttribute('data-kind') : null, error: b ? b.textContent.trim() : null };
})()`;

/**
 * Waits until the model is ready; an error banner on the way fails at once with its text. 90 s: under
 * the test's 120 s, so a load that never ends fails with what the page last showed.
 */
export async function waitForReady(driver: EngineDriver, timeoutMs = 90_000): Promise<ModelStatus> {
  const s = await waitFor<ModelStatus>(driver, STATUS, (v) => v.state === 'ready' || v.errorKind !== null, 'the model to be ready', timeoutMs);
  if (s.state !== 'ready') throw new Error(`${driver.engine}: the model did not load: [${s.errorKind}] ${s.error}`);
  return s;
}

/** Waits for the error banner; returns what the status and banner say. */
export const waitForError = (driver: EngineDriver, timeoutMs = 60_000): Promise<ModelStatus> =>
  waitFor<ModelStatus>(driver, STATUS, (v) => v.errorKind !== null, 'an error banner', timeoutMs);

export interface Reply {
  state: string | null;
  text: string;
  count: number;
}

const LAST_REPLY = `(() => {
  const all = document.querySelectorAll('[data-testid=message][data-role=assistant]');
  const m = all[all.length - 1];
  const c = m ? m.querySelector('[data-testid=message-content]') : null;
  return { state: m ? m.getAttribute('data-state') : null, text: c ? c.textContent : '', count: all.length };
})()`;

export const lastReply = (driver: EngineDriver): Promise<Reply> => driver.evaluate<Reply>(LAST_REPLY);

/** Types a message and sends it with the send button. */
export async function send(driver: EngineDriver, text: string): Promise<void> {
  await driver.type('chat-input', text);
  await driver.click('send-button');
}

/** Waits until reply number `count` (1-based) has ended (done, stopped or error). */
export const waitForReply = (driver: EngineDriver, count: number, timeoutMs = 90_000): Promise<Reply> =>
  waitFor<Reply>(driver, LAST_REPLY, (r) => r.count >= count && r.state !== null && r.state !== 'streaming', `reply ${count} to end`, timeoutMs);

export interface GenStats {
  build: string | null;
  backend: string | null;
  threads: number;
  promptTps: number;
  genTps: number;
}

export const genStats = (driver: EngineDriver): Promise<GenStats> =>
  driver.evaluate<GenStats>(`(() => {
    const g = document.querySelector('[data-testid=gen-stats]');
    const n = (k) => Number(g ? g.getAttribute(k) : NaN);
    return { build: g ? g.getAttribute('data-build') : null, backend: g ? g.getAttribute('data-backend') : null, threads: n('data-threads'), promptTps: n('data-prompt-tps'), genTps: n('data-gen-tps') };
  })()`);
