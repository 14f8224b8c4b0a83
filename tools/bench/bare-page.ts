/**
 * One run of the bare-wllama reference page (web/bench/bare.html: wllama on the main thread, no app)
 * in a fresh headless Chromium: it fetches the model from the model server, loads it and generates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, MemorySampler } from './browser';

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
}

export async function bareRun(o: { appUrl: string; modelUrl: string; prompt: string; tokens: number; threads: number; ctx: number; timeoutMs: number }): Promise<BareRun> {
  const profile = mkdtempSync(join(tmpdir(), 'bench-bare-'));
  const context = await launch(profile);
  const sampler = new MemorySampler();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const q = new URLSearchParams({ model: o.modelUrl, prompt: o.prompt, n: String(o.tokens), threads: String(o.threads), ctx: String(o.ctx) });
    await page.goto(`${o.appUrl}/bench/bare.html?${q}`, { timeout: o.timeoutMs });
    await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, null, { timeout: o.timeoutMs, polling: 250 });
    const r = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> & { error?: string } }).__bench);
    if (r.error) throw new Error(`bare page failed: ${r.error}`);
    return { ...(r as unknown as BareRun), ...sampler.stop() };
  } finally {
    sampler.stop();
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
