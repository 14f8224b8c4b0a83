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
const MIN_WALL_MS = 1000;

export function threadCpu(root = process.pid): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const p of descendants(root)) {
    const type = p.type;
    let tids: string[];
    try {
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

/** The whole machine's CPU ms (all cores, from /proc/stat): busy, and taken by the hypervisor (steal). */
export interface MachineCpu {
  busyMs: number;
  stealMs: number;
}

export function machineCpu(): MachineCpu {
  try {
    // cpu  user nice system idle iowait irq softirq steal ...
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busyMs: (f[0] + f[1] + f[2] + f[5] + f[6]) * TICK_MS, stealMs: (f[7] ?? 0) * TICK_MS };
  } catch {
    return { busyMs: NaN, stealMs: NaN };
  }
}

/**
 * CPU ms of every process below root, from each process's own counters: unlike the sum of its
 * threads', these keep the time of threads that have ended (an engine's pool, stopped at the end).
 */
export function processTreeCpu(root = process.pid): number {
  let ms = 0;
  for (const p of descendants(root)) {
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // ended while we looked
    }
  }
  return ms;
}

interface Snapshot {
  threads: CpuSnapshot;
  browserMs: number;
  machine: MachineCpu;
}

const snapshot = (): Snapshot => ({ threads: threadCpu(), browserMs: processTreeCpu(), machine: machineCpu() });

export interface BesideEngine {
  /** CPU ms of every browser thread but the engine's between the two marks. */
  cpuMs: number;
  /** The wall time between the two marks, ms. */
  wallMs: number;
  /** cpuMs over wallMs, in % of one core. */
  pct: number;
  /**
   * CPU outside the browser in the same time, % of one core: the bench's own Node process, the
   * kernel's threads (this machine's DAMON reclaim among them), anything else running. A run with
   * much of it was disturbed: its tokens/s say little about the page.
   */
  outsidePct: number;
  /** CPU the hypervisor took from this machine in the same time, % of one core. */
  stealPct: number;
  /** The largest users among the browser's threads (ms), for the JSON. */
  top: Record<string, number>;
}

export function besideEngine(a: Snapshot, b: Snapshot, wallMs: number): BesideEngine {
  const beside = [...b.threads.entries()].filter(([k]) => k !== ENGINE_THREADS).map(([k, v]) => [k, v - (a.threads.get(k) ?? 0)] as const);
  const cpuMs = beside.reduce((s, [, v]) => s + Math.max(0, v), 0);
  const top = Object.fromEntries(beside.filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]).slice(0, 6));
  // Over less than a second (a reply shown only at its end), /proc's 10 ms ticks say nothing.
  const pct = (ms: number): number => (wallMs >= MIN_WALL_MS ? (100 * ms) / wallMs : NaN);
  return {
    cpuMs,
    wallMs,
    pct: pct(cpuMs),
    outsidePct: pct(Math.max(0, b.machine.busyMs - a.machine.busyMs - (b.browserMs - a.browserMs))),
    stealPct: pct(b.machine.stealMs - a.machine.stealMs),
    top,
  };
}

/**
 * Gives the pages of `context` a function `__benchMark('generating' | 'generated')` that takes a
 * snapshot; returns the CPU beside the engine between the first such pair (null until there is one).
 * Call before navigating.
 */
export async function markGeneration(context: BrowserContext): Promise<() => BesideEngine | null> {
  const marks: { what: string; at: number; cpu: Snapshot }[] = [];
  await context.exposeFunction('__benchMark', (what: string) => {
    marks.push({ what, at: performance.now(), cpu: snapshot() });
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
