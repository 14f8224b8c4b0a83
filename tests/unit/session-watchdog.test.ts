/**
 * The watchdogs through the session, with fake workers and fake timers: a download, a load or a first
 * token that goes silent ends in a specific `stalled` error (never a spinner, never "Ready"), and
 * progress keeps each of them quiet however long the phase takes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { Session } from '../../web/src/lib/session.svelte';
import { parseUrlParams } from '../../web/src/lib/url-params';
import type { EnsuredModel, EnsureHooks, ModelInput } from '../../web/src/lib/engine/download-client';
import { FakeDownloads, FakeEngine, fakeDeps } from './fakes/session-fakes';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

const DEMO_ID = 'http://127.0.0.1/app/models/starling-playground-demo.Q8_0.gguf';

/**
 * A session on fake workers. The demo model is already cached unless a download worker is given: a
 * first download reads the header over the (loopback) network, real I/O that fake time would outrun.
 */
function session(engines: FakeEngine[], downloads?: FakeDownloads) {
  const cached = new FakeDownloads();
  void cached.fetchModel({ id: DEMO_ID });
  const deps = fakeDeps(engines, downloads ?? cached);
  return { session: new Session(parseUrlParams(''), deps), deps };
}

/**
 * A download worker that starts probing, then says nothing more (IndexedDB or the worker stuck). It
 * skips the page's memory check before a download, which reads the header over the network.
 */
class SilentDownloads extends FakeDownloads {
  signal: AbortSignal | undefined;
  override async ensure(_input: ModelInput, _options: unknown, hooks: EnsureHooks): Promise<EnsuredModel> {
    this.signal = hooks.signal;
    hooks.onProgress({ phase: 'probing', loaded: 0, total: 0, files: [], bytesPerSecond: 0, etaSeconds: null, resumedFrom: 0 });
    return never();
  }
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('a load that stops making progress', () => {
  it('ends in a stalled error with Try again, never Ready; Try again loads the model in a new engine', async () => {
    const hung = new FakeEngine();
    hung.loadGate = (onStep) => {
      onStep('loading the weights with 1 thread on the CPU');
      return never();
    };
    const { session: s, deps } = session([hung, new FakeEngine()]);
    void s.start();
    await vi.advanceTimersByTimeAsync(115_000);
    expect(s.model.status).toBe('loading');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.model.status).toBe('error');
    expect(s.error).toMatchObject({
      kind: 'stalled',
      message: expect.stringMatching(/^Loading the model made no progress for 12\d s \(step: loading the weights with 1 thread on the CPU\)\.$/),
    });
    expect(s.model.engine).toBeNull();
    expect(hung.terminated).toBe(true); // wllama's inner worker cannot be stopped: the engine worker goes
    await s.retry();
    expect(s.model.status).toBe('ready');
    expect(deps.engines).toHaveLength(2);
    expect(deps.engines[1].loads).toHaveLength(1);
    expect(s.error).toBeNull();
  });

  it('stays quiet through a slow load that keeps reporting its steps', async () => {
    const slow = new FakeEngine();
    slow.loadGate = async (onStep) => {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 100_000));
        onStep(`step ${i}`);
      }
    };
    const { session: s } = session([slow]);
    const started = s.start();
    await vi.advanceTimersByTimeAsync(1_000_000);
    await started;
    expect(s.model.status).toBe('ready');
    expect(s.error).toBeNull();
    expect(slow.terminated).toBe(false);
  });
});

describe('a first token that never comes', () => {
  it('keeps the message, ends the reply with the error, drops the engine, and the next send works after Try again', async () => {
    const hung = new FakeEngine([{ kind: 'hang' }]);
    const { session: s, deps } = session([hung, new FakeEngine()]);
    await s.start();
    expect(await s.send('Hi')).toBe(true);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(s.chat.generating).toBe(true);
    expect(s.chat.messages[1].state).toBe('streaming');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(s.chat.generating).toBe(false);
    expect(s.chat.messages.map((m) => [m.role, m.content, m.state])).toEqual([
      ['user', 'Hi', 'done'],
      ['assistant', '', 'error'],
    ]);
    expect(s.chat.messages[1].error).toMatch(/^Generating the reply made no progress for 12\d s \(step: waiting for the first token, after a prompt of \d+ tokens\)\.$/);
    expect(s.error?.kind).toBe('stalled');
    expect(s.model.status).toBe('error');
    expect(hung.terminated).toBe(true);

    await s.retry();
    expect(s.model.status).toBe('ready');
    expect(deps.engines).toHaveLength(2);
    expect(await s.send('Again')).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(s.chat.messages[3]).toMatchObject({ content: 'Hello there', state: 'done' });
    // The failed reply is not fed back to the model as history.
    expect(s.chat.history().map((m) => m.content)).toEqual(['Hi', 'Again', 'Hello there']);
  });

  it('tokens that keep coming keep the generation quiet, a minute apart each', async () => {
    const slow = new FakeEngine([{ kind: 'reply', pieces: ['a', 'b', 'c', 'd', 'e'], everyMs: 60_000 }]);
    const { session: s } = session([slow]);
    await s.start();
    await s.send('Hi');
    await vi.advanceTimersByTimeAsync(301_000);
    expect(s.chat.messages[1]).toMatchObject({ content: 'abcde', state: 'done' });
    expect(s.error).toBeNull();
    expect(slow.terminated).toBe(false);
  });
});

describe('a download that goes silent', () => {
  it('is stopped and reported as stalled at its last step; the engine stays', async () => {
    const downloads = new SilentDownloads();
    const engine = new FakeEngine();
    const { session: s } = session([engine], downloads);
    void s.start();
    await vi.advanceTimersByTimeAsync(170_000);
    expect(s.model.busy).toBe(true); // a spinner, so far
    await vi.advanceTimersByTimeAsync(15_000);
    expect(s.model.status).toBe('error');
    expect(s.error).toMatchObject({ kind: 'stalled', message: 'The download made no progress for 180 s (step: asking the server for the file).' });
    expect(downloads.signal?.aborted).toBe(true); // the worker is asked to stop
    expect(engine.terminated).toBe(false);
  });
});
