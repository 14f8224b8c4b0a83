/**
 * The CPU that Chromium's threads other than the engine's use while a reply is generated: what the
 * page (rendering, its scripts, the compositor) takes from the cores llama.cpp's threads run on. On
 * two cores with two engine threads, each millisecond of it stalls an engine thread, and at ggml's
 * barriers the other one with it; tokens per second are too noisy here to show a few percent of that
 * (one run to the next moved by 10%), the threads' own CPU time is not.
 *
 * Read from /proc per thread: the renderer's "DedicatedWorker" threads are the engine's (its worker
 * and llama.cpp's pool); every other thread of every Chromium process counts as beside it.
 */
import type { BrowserContext } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { descendants } from './browser';

/** CPU ms per "process type:thread name" (numbers at the end of a name dropped). */
export type CpuSnapshot = Map<string, number>;

const ENGINE_THREADS = 'renderer:DedicatedWorker';
/** clock ticks per second (USER_HZ): 100 on Linux. */
const TICK_MS = 10;

const processType = (pid: number): string => {
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const m = /--type=([a-z-]+)/.exec(cmd);
  return m ? m[1] : 'browser';
};

export function threadCpu(root = process.pid): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const p of descendants(root)) {
    let type: string;
    let tids: string[];
    try {
      type = processType(p.pid);
      tids = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue; // ended while we looked
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
        const key = `${type}:${name}`;
        out.set(key, (out.get(key) ?? 0) + ms);
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}

export interface BesideEngine {
  /** CPU ms of every thread but the engine's between the two marks. */
  cpuMs: number;
  /** The wall time between the two marks, ms. */
  wallMs: number;
  /** cpuMs over wallMs, in % of one core. */
  pct: number;
  /** The largest users among them (ms), for the JSON. */
  top: Record<string, number>;
}

export function besideEngine(a: CpuSnapshot, b: CpuSnapshot, wallMs: number): BesideEngine {
  const deltas = [...b.entries()].filter(([k]) => k !== ENGINE_THREADS).map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const);
  const cpuMs = deltas.reduce((s, [, v]) => s + Math.max(0, v), 0);
  const top = Object.fromEntries(deltas.filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]).slice(0, 6));
  return { cpuMs, wallMs, pct: wallMs > 0 ? (100 * cpuMs) / wallMs : NaN, top };
}

/**
 * Gives the pages of `context` a function `__benchMark('generating' | 'generated')` that takes a
 * snapshot; returns the CPU beside the engine between the first such pair (null until there is one).
 * Call before navigating.
 */
export async function markGeneration(context: BrowserContext): Promise<() => BesideEngine | null> {
  const marks: { what: string; at: number; cpu: CpuSnapshot }[] = [];
  await context.exposeFunction('__benchMark', (what: string) => {
    marks.push({ what, at: performance.now(), cpu: threadCpu() });
  });
  return () => {
    const start = marks.find((m) => m.what === 'generating');
    const end = start && marks.find((m) => m.what === 'generated' && m.at > start.at);
    return start && end ? besideEngine(start.cpu, end.cpu, end.at - start.at) : null;
  };
}

/**
 * For the app's page (added to its init script): marks 'generating' when the first reply being
 * streamed first shows text, and 'generated' when it leaves the streaming state.
 */
export const APP_MARKS_SCRIPT = `(() => {
  let phase = 0;
  new MutationObserver(() => {
    if (phase === 2 || typeof window.__benchMark !== 'function') return;
    const streaming = document.querySelector('[data-testid=message][data-role=assistant][data-state=streaming]');
    const text = streaming && streaming.querySelector('[data-testid=message-content]');
    if (phase === 0 && text && (text.textContent || '').trim()) {
      phase = 1;
      window.__benchMark('generating');
    } else if (phase === 1 && !streaming) {
      phase = 2;
      window.__benchMark('generated');
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state'] });
})();`;
