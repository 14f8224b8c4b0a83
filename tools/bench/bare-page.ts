/**
 * One run of a bare reference page in a fresh headless Chromium: it fetches the model from the model
 * server, loads it and generates. `wllama`: web/bench/bare.html (wllama on the main thread, with its
 * defaults); `own`: web/bench/bare-own.html (the app's own engine in a plain worker, given the prompt's
 * token ids, greedy in a tight loop).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, MemorySampler } from './browser';
import { markGeneration, type BesideEngine } from './thread-cpu';

export interface BareRun {
  fetchMs: number;
  loadMs: number;
  /** ms since navigation start when the model was loaded (fetch + load, page start-up included). */
  readyAt: number;
  ttftMs: number;
  threads: number;
  prompt_n: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_per_second: number;
  rendererPeak: number;
  browserRssPeak: number;
  /** CPU of Chromium's threads other than the engine's while generating (the own engine's page marks it; null on wllama's). */
  besideEngine: BesideEngine | null;
}

export interface BareOptions {
  appUrl: string;
  modelUrl: string;
  prompt: string;
  tokens: number;
  threads: number;
  ctx: number;
  timeoutMs: number;
  /** Which page (default wllama); `own` also needs the prompt's ids and n_batch. */
  engine?: 'wllama' | 'own';
  promptIds?: number[];
  batch?: number;
}

export async function bareRun(o: BareOptions): Promise<BareRun> {
  const profile = mkdtempSync(join(tmpdir(), 'bench-bare-'));
  const context = await launch(profile);
  const sampler = new MemorySampler();
  try {
    const beside = await markGeneration(context);
    const page = context.pages()[0] ?? (await context.newPage());
    const own = o.engine === 'own';
    const q = new URLSearchParams({ model: o.modelUrl, n: String(o.tokens), threads: String(o.threads), ctx: String(o.ctx) });
    if (own) {
      q.set('ids', (o.promptIds ?? []).join(','));
      q.set('batch', String(o.batch ?? 256));
    } else q.set('prompt', o.prompt);
    await page.goto(`${o.appUrl}/bench/${own ? 'bare-own' : 'bare'}.html?${q}`, { timeout: o.timeoutMs });
    await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, null, { timeout: o.timeoutMs, polling: 250 });
    const r = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> & { error?: string } }).__bench);
    if (r.error) throw new Error(`bare page failed: ${r.error}`);
    return { ...(r as unknown as BareRun), ...sampler.stop(), besideEngine: beside() };
  } finally {
    sampler.stop();
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
