/**
 * Headless Chromium for the benchmark, with the flags the e2e tests use (playwright.config.ts), and
 * the renderer's peak memory.
 *
 * Memory: the peak resident set (VmHWM from /proc) of Chromium's renderer processes, which host the
 * page and all its workers (the app's engine worker, wllama's worker and its wasm heap). Each run
 * starts a fresh browser, so VmHWM is that run's peak; the largest renderer's value is reported.
 * IndexedDB and Blob storage live in the browser process and are not counted there; the sum of all
 * Chromium processes' RSS, sampled every 250 ms, is kept beside it (JSON only).
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { chromiumPath } from '../chromium';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A browser whose profile (so IndexedDB) lives in userDataDir and survives relaunches. */
export function launch(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

export interface Proc {
  pid: number;
  /** Chromium's process type from its --type= flag ("renderer", "gpu-process", ...); "browser" without one. */
  type: string;
  renderer: boolean;
}

/** Every process below root, marking Chromium renderers (they host a page and its workers). */
export function descendants(root: number): Proc[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // ended while we looked
    }
  }
  const out: Proc[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      try {
        const type = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${child}/cmdline`, 'utf8'))?.[1] ?? 'browser';
        out.push({ pid: child, type, renderer: type === 'renderer' });
      } catch {
        // gone
      }
      walk(child);
    }
  };
  walk(root);
  return out;
}

export const statusKb = (pid: number, field: 'VmHWM' | 'VmRSS'): number => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/** Samples Chromium's memory (all processes under this Node process) until stopped. */
export class MemorySampler {
  #timer: NodeJS.Timeout;
  #rendererHwm = 0;
  #totalRss = 0;

  constructor(private readonly root = process.pid) {
    this.#timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    let total = 0;
    for (const p of descendants(this.root)) {
      total += statusKb(p.pid, 'VmRSS');
      if (p.renderer) this.#rendererHwm = Math.max(this.#rendererHwm, statusKb(p.pid, 'VmHWM'));
    }
    this.#totalRss = Math.max(this.#totalRss, total);
  }

  /** The largest renderer's resident memory now (bytes). */
  rendererRssNow(): number {
    return Math.max(0, ...descendants(this.root).filter((p) => p.renderer).map((p) => statusKb(p.pid, 'VmRSS') * 1024));
  }

  /** Stops sampling (call before the browser closes); peaks in bytes. */
  stop(): { rendererPeak: number; browserRssPeak: number } {
    this.sample();
    clearInterval(this.#timer);
    return { rendererPeak: this.#rendererHwm * 1024, browserRssPeak: this.#totalRss * 1024 };
  }
}

/**
 * Injected before any page script: records main-thread long tasks, and when (ms since navigation
 * start) the app's model-status enters each state: the first time (__states) and every change
 * (__transitions; a first visit goes loading, downloading, loading, ready).
 */
export const INIT_SCRIPT = `(() => {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { window.__longtasks = null; }
  window.__states = {};
  window.__transitions = [];
  const seen = () => {
    const el = document.querySelector('[data-testid=model-status]');
    const s = el && el.getAttribute('data-state');
    if (!s) return;
    if (!(s in window.__states)) window.__states[s] = performance.now();
    const last = window.__transitions[window.__transitions.length - 1];
    if (!last || last.state !== s) window.__transitions.push({ state: s, t: performance.now() });
  };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
})();`;

export interface Transition {
  state: string;
  t: number;
}

/** How long model-status stayed "downloading" (first entry to the next state), ms; null if never. */
export function downloadingMs(transitions: Transition[]): number | null {
  const i = transitions.findIndex((x) => x.state === 'downloading');
  return i >= 0 && i + 1 < transitions.length ? transitions[i + 1].t - transitions[i].t : null;
}

export interface LongTasks {
  count: number;
  maxMs: number;
}

export function summarizeLongTasks(entries: { start: number; duration: number }[] | null, from: number, to: number): LongTasks | null {
  if (!entries) return null;
  const inside = entries.filter((e) => e.start + e.duration >= from && e.start <= to);
  return { count: inside.length, maxMs: inside.reduce((m, e) => Math.max(m, e.duration), 0) };
}
