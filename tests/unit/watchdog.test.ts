/**
 * The watchdogs on long phases (web/src/lib/watchdog.ts), on a hand-driven clock: silence reaches the
 * limit and fires a specific `stalled` error, progress keeps it quiet, throttled ticks never fake a
 * stall, and the limits grow with the model.
 */
import { describe, expect, it } from 'vitest';
import {
  engineStalled,
  firstTokenLimitMs,
  loadLimitMs,
  StalledError,
  watchDownload,
  watchGeneration,
  watchLoad,
  Watchdog,
  type WatchdogClock,
} from '../../web/src/lib/watchdog';
import type { DownloadProgress } from '../../workers/lib/download/progress';
import { AppError } from '../../workers/lib/errors';

/** A clock whose time and ticks move only when the test says. */
class HandClock implements WatchdogClock {
  t = 0;
  private fns: (() => void)[] = [];
  now = (): number => this.t;
  every = (_ms: number, fn: () => void): (() => void) => {
    this.fns.push(fn);
    return () => (this.fns = this.fns.filter((f) => f !== fn));
  };
  /** `n` ticks, `gapMs` apart. */
  tick(n: number, gapMs = 1000): void {
    for (let i = 0; i < n; i++) {
      this.t += gapMs;
      for (const f of [...this.fns]) f();
    }
  }
  get running(): number {
    return this.fns.length;
  }
}

const never = new Promise<never>(() => {});

const downloading = (loaded: number): DownloadProgress => ({
  phase: 'downloading',
  loaded,
  total: 4e9,
  files: [],
  bytesPerSecond: 0,
  etaSeconds: null,
  resumedFrom: 0,
});

describe('a watchdog', () => {
  it('fires once the silence reaches its limit, with what ran, where, and for how long', async () => {
    const clock = new HandClock();
    let stalled: StalledError | null = null;
    const dog = new Watchdog({ phase: 'load', what: 'Loading the model', limitMs: 120_000, step: 'reading the weights', clock, onStall: (e) => (stalled = e) });
    const outcome = dog.race(never).catch((e: unknown) => e);
    clock.tick(119);
    expect(stalled).toBeNull();
    clock.tick(1);
    const e = await outcome;
    expect(e).toBe(stalled);
    expect(e).toBeInstanceOf(StalledError);
    expect(e).toMatchObject({ kind: 'stalled', phase: 'load', message: 'Loading the model made no progress for 120 s (step: reading the weights).' });
    expect(engineStalled(e)).toBe(true);
    expect(clock.running).toBe(0); // it stops itself
  });

  it('stays quiet while progress comes, however long the whole phase takes', async () => {
    const clock = new HandClock();
    const dog = new Watchdog({ phase: 'load', what: 'Loading', limitMs: 10_000, step: 'a', clock });
    let fired = false;
    void dog.fired.catch(() => (fired = true));
    for (let i = 0; i < 100; i++) {
      clock.tick(9);
      dog.progress(`step ${i}`);
    }
    await Promise.resolve();
    expect(fired).toBe(false);
    expect(dog.step).toBe('step 99');
    dog.stop();
  });

  it("never counts a throttled tab's late ticks as silence: each late tick counts as one on-time gap", async () => {
    const clock = new HandClock();
    const dog = new Watchdog({ phase: 'generation', what: 'Generating the reply', limitMs: 120_000, step: 'x', clock });
    let fired = false;
    void dog.fired.catch(() => (fired = true));
    clock.tick(30, 60_000); // 30 minutes in a background tab at one tick a minute (or a sleeping laptop)
    await Promise.resolve();
    expect(fired).toBe(false);
    clock.tick(60, 1000); // back in front: the hang is found within its limit
    await Promise.resolve();
    expect(fired).toBe(true);
  });

  it('a pause (another tab downloads the model) counts no silence until progress resumes', async () => {
    const clock = new HandClock();
    const dog = new Watchdog({ phase: 'download', what: 'The download', limitMs: 5_000, step: 'x', clock });
    let fired = false;
    void dog.fired.catch(() => (fired = true));
    dog.pause('waiting');
    clock.tick(600);
    await Promise.resolve();
    expect(fired).toBe(false);
    dog.progress('downloading');
    clock.tick(5);
    await Promise.resolve();
    expect(fired).toBe(true);
  });

  it('ends with the work when it ends first, and stops ticking', async () => {
    const clock = new HandClock();
    const dog = new Watchdog({ phase: 'load', what: 'Loading', limitMs: 5_000, step: 'x', clock });
    await expect(dog.race(Promise.resolve(42))).resolves.toBe(42);
    expect(clock.running).toBe(0);
  });
});

describe('the limits', () => {
  it('give a load two minutes plus a minute per GB of weights without any progress event', () => {
    expect(loadLimitMs(5e6)).toBe(120_300);
    expect(loadLimitMs(4e9)).toBe(360_000); // a 4 GB model may stay silent for 6 minutes
  });

  it("give the first token time for the whole prompt at 5 s per token per GB (the 7B-shaped Q2_K model here took 3 s per token)", () => {
    expect(firstTokenLimitMs(20, 5e6)).toBe(121_000); // the demo model: at least 50 ms a token
    expect(firstTokenLimitMs(100, 2.44e9)).toBeGreaterThan(100 * 3_000 * 4);
  });
});

describe('the phases', () => {
  it('a download that goes silent is stopped and reported with its last step; waiting for another tab is not silence', async () => {
    const clock = new HandClock();
    let report!: (p: DownloadProgress) => void;
    let aborted = false;
    const outcome = watchDownload(
      (w) => {
        report = w.progress;
        return never;
      },
      () => (aborted = true),
      { clock, limitMs: 180_000 },
    ).catch((e: unknown) => e);
    report({ ...downloading(0), phase: 'waiting' });
    clock.tick(1000);
    for (let i = 1; i <= 10; i++) {
      clock.tick(100);
      report(downloading(i * 1e8));
    }
    expect(aborted).toBe(false);
    clock.tick(180);
    const e = await outcome;
    expect(aborted).toBe(true);
    expect(e).toMatchObject({ kind: 'stalled', phase: 'download', message: 'The download made no progress for 180 s (step: downloading, 1.00 GB of 4.00 GB).' });
    expect(engineStalled(e)).toBe(false); // the engine is fine
  });

  it("a load's steps keep its watchdog quiet; a load that then says nothing for its limit stalls", async () => {
    const clock = new HandClock();
    let step!: (s: string) => void;
    const outcome = watchLoad(
      4e9,
      (onStep) => {
        step = onStep;
        return never;
      },
      { clock },
    ).catch((e: unknown) => e);
    for (let i = 0; i < 5; i++) {
      clock.tick(300); // 5 minutes each: under the 6 minutes a 4 GB model gets
      step(`step ${i}`);
    }
    clock.tick(360);
    expect(await outcome).toMatchObject({ kind: 'stalled', message: 'Loading the model made no progress for 360 s (step: step 4).' });
  });

  it("a worker that dies mid-load is reported with the load's step it was at", async () => {
    const clock = new HandClock();
    let step!: (s: string) => void;
    let die!: (e: unknown) => void;
    const outcome = watchLoad(
      4e9,
      (onStep) => {
        step = onStep;
        return new Promise((_, reject) => (die = reject));
      },
      { clock },
    ).catch((e: unknown) => e);
    step('measuring the speed with 2 threads');
    die(new AppError('worker-crashed', 'The inference worker stopped answering (no sign of life for 10 s), so it was shut down.'));
    expect(await outcome).toMatchObject({
      kind: 'worker-crashed',
      message: 'The inference worker stopped answering (no sign of life for 10 s), so it was shut down. (loading: measuring the speed with 2 threads)',
    });
  });

  it('a generation gets its first-token limit, then the gap limit after each token', async () => {
    const clock = new HandClock();
    let token!: () => void;
    let aborted = false;
    const outcome = watchGeneration(
      30,
      5e6,
      (onToken) => {
        token = onToken;
        return never;
      },
      () => (aborted = true),
      { clock, firstTokenMs: 600_000, gapMs: 20_000 },
    ).catch((e: unknown) => e);
    clock.tick(590); // a long prompt: no token for almost 10 minutes
    token();
    for (let i = 0; i < 50; i++) {
      clock.tick(19);
      token();
    }
    expect(aborted).toBe(false);
    clock.tick(20);
    const e = await outcome;
    expect(aborted).toBe(true);
    expect(e).toMatchObject({ kind: 'stalled', phase: 'generation', message: 'Generating the reply made no progress for 20 s (step: waiting for the next token after 51).' });
  });
});
