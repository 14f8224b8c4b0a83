/**
 * One visit of the app (the worker-hosted engine) in a fresh headless Chromium: open
 * `/?model=…&threads=…&ctx=…&backend=cpu`, wait for the model to be ready, optionally send the
 * benchmark message and wait for the whole reply, and read the app's own figures (gen-stats) plus
 * navigation-to-ready time, main-thread long tasks and peak memory.
 */
import type { LoadPhase } from '../../workers/lib/engine/types';
import type { Page } from '@playwright/test';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { downloadingMs, INIT_SCRIPT, launch, MemorySampler, summarizeLongTasks, type LongTasks, type Transition } from './browser';
import { APP_MARKS_SCRIPT, markGeneration, type BesideEngine } from './thread-cpu';

export interface AppVisitOptions {
  /** Browser profile: the IndexedDB cache persists in it between visits. */
  profile: string;
  appUrl: string;
  modelUrl: string;
  threads: number;
  ctx: number;
  /** The message to send; none: only load. */
  message?: string;
  maxTokens: number;
  timeoutMs: number;
  /** The engine the app is told to use (?engine=); undefined: the app's own choice (the own engine on the CPU). */
  engine?: 'own' | 'wllama';
  /** wllama's build (?build=, which implies wllama); undefined: chosen by the browser's features. */
  build?: 'default' | 'compat';
  /** Prompt tokens per llama_decode (?batch=); undefined: the engine's default. */
  batch?: number;
  /** Runs in the page once the model is ready, before generating (the cache section reads the store). */
  afterReady?: (page: Page) => Promise<unknown>;
  /** Messages sent after `message`, in the same conversation (the multi-turn section). */
  followUps?: string[];
}

export interface AppVisit {
  /** ms since navigation start at which model-status first showed each state. */
  states: Record<string, number>;
  transitions: Transition[];
  /** Time spent "downloading" (download, hashing and IndexedDB write), ms; null when served from the cache. */
  downloadMs: number | null;
  loadMs: number;
  stats: Record<string, number | string> | null;
  /** gen-stats after each message of the visit, in order (the first is `stats`). */
  turns: Record<string, number | string>[];
  longTasks: LongTasks | null;
  /** Long tasks from navigation to ready (download and load). */
  longTasksLoading: LongTasks | null;
  rendererPeak: number;
  browserRssPeak: number;
  /** The renderer's resident memory once the model is ready, and after the reply (bytes). */
  rendererRssReady: number;
  rendererRssAfterReply: number | null;
  /** The own engine's WebAssembly.Memory once loaded (model-status[data-wasm-heap]); null on wllama. */
  wasmHeapBytes: number | null;
  /** Of it, what malloc has taken (sbrk's top). */
  wasmHeapUsedBytes: number | null;
  /** The engine's load (LoadedModelInfo.loadMs) and its steps' times. */
  engineLoad: { ms: number; phases: LoadPhase[] } | null;
  /** CPU of Chromium's threads other than the engine's while the first reply was generated. */
  besideEngine: BesideEngine | null;
  afterReady?: unknown;
}

const SETTINGS_KEY = PREF_KEYS.settings;

const settingsScript = (maxTokens: number): string => `(() => {
  try {
    if (location.protocol !== 'http:') return;
    const saved = JSON.parse(localStorage.getItem(${JSON.stringify(SETTINGS_KEY)}) || '{}');
    localStorage.setItem(${JSON.stringify(SETTINGS_KEY)}, JSON.stringify({ ...saved, max_tokens: ${maxTokens}, temperature: 0 }));
  } catch {}
})();`;

/**
 * Waits as bare-page.ts waits for the bare pages: a check run by a timer in the page every 250 ms.
 * Playwright's locator.waitFor polls from here over CDP instead (a selector query and a visibility
 * check in the page, every 500 ms once it backs off), which took the browser and this process CPU
 * that the bare pages were not charged: in one full bench it sat beside the slowest app runs.
 */
const POLL = { polling: 250 } as const;

async function waitForModel(page: Page, timeoutMs: number): Promise<void> {
  // A function, not a string: the app's CSP allows no eval.
  await page.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('[data-testid=model-status]')?.getAttribute('data-state') ?? ''), null, { ...POLL, timeout: timeoutMs });
  const status = page.getByTestId('model-status');
  if ((await status.getAttribute('data-state')) === 'error') {
    const banner = await page.getByTestId('error-banner').textContent().catch(() => null);
    throw new Error(`the app failed to load the model: ${banner ?? 'no error banner'}`);
  }
}

/** Sends one message, waits for the whole reply, and reads gen-stats' figures. */
async function sendAndRead(page: Page, message: string, timeoutMs: number): Promise<Record<string, number | string>> {
  const before = await page.locator('[data-testid=message][data-role=assistant]').count();
  await page.getByTestId('chat-input').fill(message);
  await page.getByTestId('send-button').click();
  const reply = page.locator('[data-testid=message][data-role=assistant]').nth(before);
  await page.waitForFunction(
    (n) => ['done', 'error', 'stopped'].includes(document.querySelectorAll('[data-testid=message][data-role=assistant]')[n]?.getAttribute('data-state') ?? ''),
    before,
    { ...POLL, timeout: timeoutMs },
  );
  const state = await reply.getAttribute('data-state');
  if (state !== 'done') {
    const banner = await page.getByTestId('error-banner').textContent().catch(() => null);
    throw new Error(`the reply ended ${state}: ${banner ?? ''}`);
  }
  return page.getByTestId('gen-stats').evaluate((e) => {
    const out: Record<string, number | string> = {};
    for (const a of Array.from(e.attributes)) {
      if (!a.name.startsWith('data-') || a.name === 'data-testid') continue;
      const n = Number(a.value);
      out[a.name.slice(5)] = a.value !== '' && Number.isFinite(n) ? n : a.value;
    }
    return out;
  });
}

export async function appVisit(o: AppVisitOptions): Promise<AppVisit> {
  const context = await launch(o.profile);
  const sampler = new MemorySampler();
  try {
    const beside = await markGeneration(context);
    await context.addInitScript(INIT_SCRIPT + APP_MARKS_SCRIPT + settingsScript(o.maxTokens));
    const page = context.pages()[0] ?? (await context.newPage());
    const url = `${o.appUrl}/?model=${encodeURIComponent(o.modelUrl)}&threads=${o.threads}&ctx=${o.ctx}&backend=cpu${o.engine ? `&engine=${o.engine}` : ''}${o.build ? `&build=${o.build}` : ''}${o.batch ? `&batch=${o.batch}` : ''}`;
    await page.goto(url, { timeout: o.timeoutMs });
    await waitForModel(page, o.timeoutMs);
    const { states, transitions } = await page.evaluate(() => {
      const w = window as unknown as { __states: Record<string, number>; __transitions: Transition[] };
      return { states: w.__states, transitions: w.__transitions };
    });
    const loadMs = states.ready;
    const rendererRssReady = sampler.rendererRssNow();
    // model-status's figures of the load; an empty attribute: the engine does not give that one.
    const status = async (name: string): Promise<string | null> => (await page.getByTestId('model-status').getAttribute(name)) || null;
    const [heap, used, phases] = await Promise.all(['data-wasm-heap', 'data-wasm-heap-used', 'data-load-phases'].map(status));
    const wasmHeapBytes = heap ? Number(heap) : null;
    const wasmHeapUsedBytes = used ? Number(used) : null;
    const engineLoad = phases ? (JSON.parse(phases) as AppVisit['engineLoad']) : null;
    const longTasksLoading = summarizeLongTasks(await longTaskEntries(page), 0, loadMs);
    const afterReady = o.afterReady ? await o.afterReady(page) : undefined;
    let stats: AppVisit['stats'] = null;
    let longTasks: LongTasks | null = null;
    let rendererRssAfterReply: number | null = null;
    const turns: Record<string, number | string>[] = [];
    if (o.message) {
      // The app reopens the last conversation on each visit: every run starts a new one, so each
      // prompt is the same (builds before the chat list have no such button and always start empty).
      const newChat = page.getByTestId('new-chat-button');
      if (await newChat.count()) await newChat.click();
      const t0 = await page.evaluate(() => performance.now());
      stats = await sendAndRead(page, o.message, o.timeoutMs);
      const t1 = await page.evaluate(() => performance.now());
      turns.push(stats);
      longTasks = summarizeLongTasks(await longTaskEntries(page), t0, t1);
      rendererRssAfterReply = sampler.rendererRssNow();
      // Later turns of the same conversation: each should evaluate only its new tokens.
      for (const m of o.followUps ?? []) turns.push(await sendAndRead(page, m, o.timeoutMs));
    }
    const mem = sampler.stop();
    return { states, transitions, downloadMs: downloadingMs(transitions), loadMs, stats, turns, longTasks, longTasksLoading, afterReady, rendererRssReady, rendererRssAfterReply, wasmHeapBytes, wasmHeapUsedBytes, engineLoad, besideEngine: beside(), ...mem };
  } finally {
    sampler.stop();
    await context.close();
  }
}

const longTaskEntries = (page: Page) =>
  page.evaluate(() => (window as unknown as { __longtasks: { start: number; duration: number }[] | null }).__longtasks);
