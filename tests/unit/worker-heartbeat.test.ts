import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerClient } from '../../web/src/lib/engine/worker-client';
import { AppError } from '../../workers/lib/errors';

type Req = { id: number; type: 'ping' } | { id: number; type: 'work' };
type Ev = { id: number; type: 'pong' } | { id: number; type: 'done' };

/** A plain object standing in for a Worker: records what is posted; `answer` decides whether it replies. */
function fakeWorker(answer: (msg: Req) => Ev | null) {
  const w = {
    posted: [] as Req[],
    terminated: false,
    onmessage: null as ((e: MessageEvent<Ev>) => void) | null,
    onerror: null as unknown,
    onmessageerror: null as unknown,
    postMessage(msg: Req) {
      this.posted.push(msg);
      const reply = answer(msg);
      if (reply) queueMicrotask(() => this.onmessage?.({ data: reply } as MessageEvent<Ev>));
    },
    terminate() {
      this.terminated = true;
    },
  };
  return w;
}

const HEARTBEAT = { ping: { type: 'ping' as const }, intervalMs: 1000, timeoutMs: 5000 };

describe('the worker heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('declares a worker that stops answering dead: open requests fail with worker-crashed', async () => {
    let alive = true;
    const w = fakeWorker((m) => (alive && m.type === 'ping' ? { id: m.id, type: 'pong' } : null));
    const client = new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', HEARTBEAT);
    const { events } = client.request({ type: 'work' });
    const next = events.next();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.terminated).toBe(false); // answering pings: alive, however long the work takes
    alive = false;
    const failed = expect(next).rejects.toMatchObject({ kind: 'worker-crashed', message: expect.stringMatching(/stopped answering/) });
    await vi.advanceTimersByTimeAsync(7_000);
    await failed;
    expect(w.terminated).toBe(true);
    await expect(client.request({ type: 'work' }).events.next()).rejects.toBeInstanceOf(AppError);
  });

  it('leaves a worker silent inside a quiet request (a load, bounded by its own watchdog) alone, and watches it again after', async () => {
    let answering = true;
    const w = fakeWorker((m) => (answering && m.type === 'ping' ? { id: m.id, type: 'pong' } : null));
    const client = new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', HEARTBEAT);
    await vi.advanceTimersByTimeAsync(2_000); // started: its first answers came
    answering = false;
    const call = client.call({ type: 'work' }, { quiet: true });
    await vi.advanceTimersByTimeAsync(30_000); // six times the limit, silent, inside the quiet request
    expect(w.terminated).toBe(false);
    // The request ends (its answer arrives); a worker that is still silent after it is found.
    const work = w.posted.find((m) => m.type === 'work')!;
    w.onmessage?.({ data: { id: work.id, type: 'done' } } as MessageEvent<Ev>);
    await expect(call).resolves.toMatchObject({ type: 'done' });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(w.terminated).toBe(false); // the usual limit counts from the request's end
    await vi.advanceTimersByTimeAsync(4_000);
    expect(w.terminated).toBe(true);
  });

  it('gives a worker that has not started yet (its scripts still loading) the startup limit, then the usual one', async () => {
    let started = false;
    const w = fakeWorker((m) => (started && m.type === 'ping' ? { id: m.id, type: 'pong' } : null));
    new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', { ...HEARTBEAT, startupTimeoutMs: 30_000 });
    await vi.advanceTimersByTimeAsync(25_000); // five times the usual limit: still starting
    expect(w.terminated).toBe(false);
    started = true;
    await vi.advanceTimersByTimeAsync(2_000); // its first answer
    started = false;
    await vi.advanceTimersByTimeAsync(7_000); // started, then silent: the usual limit applies
    expect(w.terminated).toBe(true);
  });

  it('shuts down a worker that never starts once the startup limit has passed, and says so', async () => {
    const w = fakeWorker(() => null);
    const client = new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', { ...HEARTBEAT, startupTimeoutMs: 30_000 });
    const next = client.request({ type: 'work' }).events.next();
    const failed = expect(next).rejects.toMatchObject({ kind: 'worker-crashed', message: expect.stringMatching(/test worker did not start \(no sign of life for 3\d s\)/) });
    await vi.advanceTimersByTimeAsync(29_000);
    expect(w.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(4_000);
    await failed;
    expect(w.terminated).toBe(true);
  });

  it('does not blame the worker for a page that stalled: its answer may be queued behind the late tick', async () => {
    let answer = true;
    const w = fakeWorker((m) => (answer && m.type === 'ping' ? { id: m.id, type: 'pong' } : null));
    new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', HEARTBEAT);
    await vi.advanceTimersByTimeAsync(3_000); // started and answering
    answer = false;
    await vi.advanceTimersByTimeAsync(1_000); // a ping goes out; its answer will come late
    const ping = w.posted[w.posted.length - 1];
    // The page's main thread is blocked for 15 s: its clock moves on, its timers do not run.
    const stall = 15_000;
    const realNow = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + stall);
    await vi.advanceTimersByTimeAsync(1_000); // the first tick after the stall
    expect(w.terminated).toBe(false);
    w.onmessage?.({ data: { id: ping.id, type: 'pong' } } as MessageEvent<Ev>); // the queued answer
    answer = true;
    await vi.advanceTimersByTimeAsync(7_000);
    expect(w.terminated).toBe(false);
    answer = false; // and a worker that then really stops answering is still found
    await vi.advanceTimersByTimeAsync(7_000);
    expect(w.terminated).toBe(true);
    vi.restoreAllMocks();
  });

  it("waits out a worker that said it is busy (a synchronous load), and counts again after its next message", async () => {
    let alive = true;
    const w = fakeWorker((m) => (alive && m.type === 'ping' ? { id: m.id, type: 'pong' } : null));
    new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', HEARTBEAT);
    alive = false;
    w.onmessage?.({ data: { id: 0, type: 'busy' } } as unknown as MessageEvent<Ev>);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.terminated).toBe(false);
    w.onmessage?.({ data: { id: 0, type: 'pong' } } as MessageEvent<Ev>);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(w.terminated).toBe(true);
  });

  it('never counts the time between throttled ticks, only an unanswered ping', async () => {
    const w = fakeWorker((m) => (m.type === 'ping' ? { id: m.id, type: 'pong' } : null));
    new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', { ...HEARTBEAT, intervalMs: 60_000 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(w.terminated).toBe(false);
    expect(w.posted.filter((m) => m.type === 'ping').length).toBeGreaterThan(5);
  });
});

describe('a worker that dies', () => {
  it('fails every open request, and every later one, with worker-crashed', async () => {
    const w = fakeWorker((m) => (m.type === 'work' && m.id === 1 ? null : null));
    const client = new WorkerClient<Req, Ev>(w as unknown as Worker, new Set(['done']), 'test worker');
    w.onmessage?.({ data: { id: 0, type: 'pong' } } as MessageEvent<Ev>); // it had started
    const first = client.call({ type: 'work' });
    const second = client.request({ type: 'work' }).events.next();
    const onerror = w.onerror as (e: { message: string; preventDefault(): void }) => void;
    onerror({ message: 'RuntimeError: unreachable', preventDefault() {} });
    await expect(first).rejects.toMatchObject({ kind: 'worker-crashed', message: expect.stringMatching(/unreachable/) });
    await expect(second).rejects.toMatchObject({ kind: 'worker-crashed' });
    await expect(client.call({ type: 'work' })).rejects.toMatchObject({ kind: 'worker-crashed' });
  });

  it('call() sends the cancel message when its signal aborts, and ends with the worker\'s answer', async () => {
    type CReq = Req | { id: number; type: 'cancel'; target: number };
    const posted: CReq[] = [];
    const w = {
      onmessage: null as ((e: MessageEvent<Ev>) => void) | null,
      onerror: null,
      onmessageerror: null,
      postMessage(msg: CReq) {
        posted.push(msg);
        if (msg.type === 'cancel') queueMicrotask(() => this.onmessage?.({ data: { id: msg.target, type: 'done' } } as MessageEvent<Ev>));
      },
      terminate() {},
    };
    const client = new WorkerClient<CReq, Ev>(w as unknown as Worker, new Set(['done']), 'test worker', undefined, (target) => ({ type: 'cancel', target }));
    const ctrl = new AbortController();
    const done = client.call({ type: 'work' }, { signal: ctrl.signal });
    ctrl.abort();
    await expect(done).resolves.toMatchObject({ type: 'done', id: 1 });
    expect(posted.map((m) => m.type)).toEqual(['work', 'cancel']);
  });
});
