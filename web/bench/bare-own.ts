/**
 * The benchmark's reference for the own engine: its C API driven from a plain worker
 * (bare-own.worker.ts), with no app around it, so `npm run bench` can put the app beside the same
 * engine on a bare page. Query: model=<url>&ids=<prompt token ids, comma-separated>&n=<tokens>
 * &threads=<n>&ctx=<n>&batch=<n>. Writes its measurements to window.__bench (and the page).
 */
import type { BareOwnJob, BareOwnReply } from './bare-own.worker';

const q = new URLSearchParams(location.search);
const out = document.getElementById('out')!;
const job: BareOwnJob = {
  model: q.get('model') ?? '',
  ids: (q.get('ids') ?? '').split(',').filter(Boolean).map(Number),
  n: Number(q.get('n') ?? 64),
  threads: Number(q.get('threads') ?? 1),
  ctx: Number(q.get('ctx') ?? 1024),
  batch: Number(q.get('batch') ?? 256),
};
const done = (r: Record<string, unknown>): void => {
  (window as unknown as { __bench: unknown }).__bench = r;
  out.textContent = JSON.stringify(r, null, 2);
};
let readyAt = -1;
/** Tells the bench (a function it exposes to the page, where it does) that generation starts or ends. */
const mark = (what: 'generating' | 'generated'): void => void (window as unknown as { __benchMark?: (w: string) => unknown }).__benchMark?.(what);
const worker = new Worker(new URL('./bare-own.worker.ts', import.meta.url), { type: 'module', name: 'bare-own' });
worker.onmessage = (ev: MessageEvent<BareOwnReply>) => {
  const r = ev.data;
  // ms since navigation start: comparable with the app's navigation-to-ready time.
  if (r.type === 'loaded') readyAt = performance.now();
  else if (r.type === 'generating') mark('generating');
  else if (r.type === 'done') {
    mark('generated');
    done({ ...r.result, readyAt });
  } else done({ error: r.error });
};
worker.onerror = (e) => done({ error: e.message || 'the worker failed to start' });
worker.postMessage(job);
