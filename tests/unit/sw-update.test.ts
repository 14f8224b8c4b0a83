/**
 * The page side of updates (sw-register.ts watchForUpdate / applyUpdate), with plain fakes for the
 * registration and its workers: only an update that waits behind an active worker is announced, and
 * the switch is asked for only when the user agrees.
 */
import { describe, expect, it, vi } from 'vitest';
import { applyUpdate, SKIP_WAITING, watchForUpdate, type UpdateRegistration } from '../../web/src/lib/sw-register';

class FakeWorker extends EventTarget {
  state: ServiceWorkerState = 'installing';
  posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  to(state: ServiceWorkerState): void {
    this.state = state;
    this.dispatchEvent(new Event('statechange'));
  }
}
const asWorker = (w: FakeWorker) => w as unknown as ServiceWorker;

class FakeRegistration extends EventTarget implements UpdateRegistration {
  active: ServiceWorker | null = null;
  installing: ServiceWorker | null = null;
  waiting: ServiceWorker | null = null;
  update = vi.fn(async () => undefined);
  /** A new worker is found and installs; it waits when another is active, else activates. */
  install(w: FakeWorker): void {
    this.installing = asWorker(w);
    this.dispatchEvent(new Event('updatefound'));
    this.installing = null;
    if (this.active) this.waiting = asWorker(w);
    w.to('installed');
    if (!this.active) {
      this.active = asWorker(w);
      w.to('activated');
    }
  }
}

describe('watchForUpdate', () => {
  it('announces a new version that installs behind the active one', () => {
    const reg = new FakeRegistration();
    reg.active = asWorker(new FakeWorker());
    const seen: ServiceWorker[] = [];
    const stop = watchForUpdate(reg, (w) => seen.push(w));
    const next = new FakeWorker();
    reg.install(next);
    expect(seen).toEqual([asWorker(next)]);
    stop();
  });

  it('announces a version that was already waiting when the page opened', () => {
    const reg = new FakeRegistration();
    reg.active = asWorker(new FakeWorker());
    reg.waiting = asWorker(new FakeWorker());
    const seen: ServiceWorker[] = [];
    watchForUpdate(reg, (w) => seen.push(w))();
    expect(seen).toEqual([reg.waiting]);
  });

  it('does not announce the first install: it takes control at once', () => {
    const reg = new FakeRegistration();
    const onWaiting = vi.fn();
    const stop = watchForUpdate(reg, onWaiting);
    reg.install(new FakeWorker());
    expect(onWaiting).not.toHaveBeenCalled();
    stop();
  });

  it('asks the host for a new version periodically, and stops when told to', () => {
    vi.useFakeTimers();
    try {
      const reg = new FakeRegistration();
      const stop = watchForUpdate(reg, () => undefined, 1000);
      vi.advanceTimersByTime(2500);
      expect(reg.update).toHaveBeenCalledTimes(2);
      stop();
      vi.advanceTimersByTime(5000);
      expect(reg.update).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('applyUpdate', () => {
  it('tells the waiting worker to take over, and reloads only once it controls the page', () => {
    const container = new EventTarget() as unknown as ServiceWorkerContainer;
    const reload = vi.fn();
    const win = { location: { reload } } as unknown as Window;
    const worker = new FakeWorker();
    worker.state = 'installed';
    applyUpdate(container, asWorker(worker), win);
    expect(worker.posted).toEqual([{ type: SKIP_WAITING }]);
    expect(reload).not.toHaveBeenCalled();
    container.dispatchEvent(new Event('controllerchange'));
    container.dispatchEvent(new Event('controllerchange'));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('just reloads when the new version took over already (the user agreed in another tab)', () => {
    const reload = vi.fn();
    const worker = new FakeWorker();
    worker.state = 'activated';
    applyUpdate(new EventTarget() as unknown as ServiceWorkerContainer, asWorker(worker), { location: { reload } } as unknown as Window);
    expect(worker.posted).toEqual([]);
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
