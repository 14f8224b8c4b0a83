/**
 * The session controller's policy with fake workers: opening (and superseding an open), sending and
 * stopping, what an engine crash and a failed WebGPU run do, and the events a second consumer (the
 * widget's postMessage bridge) observes without any component.
 */
import { describe, expect, it, vi } from 'vitest';
import { Session, type SessionEvent } from '../../web/src/lib/session.svelte';
import { parseUrlParams } from '../../web/src/lib/url-params';
import { AppError } from '../../workers/lib/errors';
import { FakeDownloads, FakeEngine, fakeDeps, fakeInfo } from './fakes/session-fakes';

const DEMO_ID = 'http://127.0.0.1/app/models/starling-playground-demo.Q8_0.gguf';

async function readySession(engines: FakeEngine[] = [new FakeEngine()], search = '') {
  const deps = fakeDeps(engines);
  const session = new Session(parseUrlParams(search), deps);
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  await session.start();
  return { session, deps, events };
}

describe('the session', () => {
  it('opens the default model, adopts its template, and lists the cache', async () => {
    const engine = new FakeEngine();
    engine.info = fakeInfo({ profile: { ...fakeInfo().profile, defaultTemplate: 'starchat' } });
    const { session, deps, events } = await readySession([engine]);
    expect(session.model.status).toBe('ready');
    expect(session.model.modelId).toBe(DEMO_ID);
    expect(session.chat.template).toBe('starchat');
    expect(deps.downloads().ensured).toEqual([DEMO_ID]);
    expect(events.map((e) => (e.type === 'status' ? e.status : e.type))).toEqual(['loading', 'downloading', 'loading', 'ready', 'ready']);
    await expect.poll(() => session.storage.records.map((r) => r.id)).toEqual([DEMO_ID]);
  });

  it('a second consumer starts a generation and observes its tokens through subscribe()', async () => {
    const { session, events } = await readySession();
    events.length = 0;
    expect(await session.send('Hi')).toBe(true);
    await expect.poll(() => session.chat.generating).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['accepted', 'token', 'token', 'reply']);
    expect(events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text)).toEqual(['Hello', ' there']);
    const last = events[3] as Extract<SessionEvent, { type: 'reply' }>;
    expect(last.reply).toMatchObject({ role: 'assistant', content: 'Hello there', state: 'done' });
    expect(session.chat.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hi'],
      ['assistant', 'Hello there'],
    ]);
  });

  it('Stop ends a reply at once even when the engine never answers again', async () => {
    const { session } = await readySession([new FakeEngine([{ kind: 'hang' }])]);
    expect(await session.send('Hi')).toBe(true);
    expect(session.chat.generating).toBe(true);
    session.stop();
    expect(session.chat.generating).toBe(false);
    expect(session.chat.messages[1].state).toBe('stopped');
    expect(session.model.status).toBe('ready');
  });

  it('a crashed engine keeps the partial reply as stopped, drops the engine, and Try again starts a new one with the conversation kept', async () => {
    const first = new FakeEngine([{ kind: 'crash', after: ['Par', 'tial'] }]);
    const { session, deps } = await readySession([first, new FakeEngine()]);
    await session.send('Hi');
    await expect.poll(() => session.chat.generating).toBe(false);
    expect(session.chat.messages[1]).toMatchObject({ content: 'Partial', state: 'stopped' });
    expect(session.error?.kind).toBe('worker-crashed');
    expect(session.model.status).toBe('error');
    expect(first.terminated).toBe(true);
    await session.retry();
    expect(session.model.status).toBe('ready');
    expect(deps.engines).toHaveLength(2);
    expect(session.error).toBeNull();
    expect(session.chat.messages).toHaveLength(2);
    expect(await session.send('Again')).toBe(true);
    await expect.poll(() => session.chat.messages[3]?.state).toBe('done');
  });

  it('a WebGPU failure while generating reloads the same model on the CPU and says why', async () => {
    const engine = new FakeEngine([{ kind: 'webgpu-fail' }, { kind: 'reply', pieces: ['ok'] }]);
    const { session } = await readySession([engine], '?backend=webgpu');
    expect(engine.loads[0].config.backend).toBe('webgpu');
    await session.send('Hi');
    await expect.poll(() => engine.loads.length).toBe(2);
    await expect.poll(() => session.model.status).toBe('ready');
    expect(engine.loads[1].config.backend).toBe('cpu');
    expect(session.model.notice).toMatch(/WebGPU lost its device/);
    expect(session.error).toBeNull();
  });

  it('a message the context cannot hold is refused and never enters the conversation', async () => {
    const { session } = await readySession();
    expect(await session.send('x'.repeat(5000))).toBe(false);
    expect(session.chat.messages).toHaveLength(0);
    expect(session.error?.kind).toBe('context-full');
  });

  it('a superseded open never shows its model: only the newest request decides', async () => {
    const engine = new FakeEngine();
    const { session } = await readySession([engine]);
    let release!: () => void;
    engine.loadGate = () => new Promise<void>((r) => (release = r));
    const slow = session.openModel('http://127.0.0.1/slow.gguf');
    await expect.poll(() => engine.loads.length).toBe(2);
    engine.loadGate = null;
    await session.openModel('http://127.0.0.1/fast.gguf');
    release();
    await slow;
    expect(session.model.modelId).toBe('http://127.0.0.1/fast.gguf');
    expect(session.model.status).toBe('ready');
  });

  it('a failed open keeps the model that was working, with the error beside it', async () => {
    const engine = new FakeEngine();
    const { session } = await readySession([engine]);
    engine.loadError = new AppError('load-failed', "unknown model architecture: 'gpt5'");
    await session.openModel('http://127.0.0.1/gpt5.gguf');
    expect(session.model.status).toBe('ready');
    expect(session.model.modelId).toBe(DEMO_ID);
    expect(session.error?.message).toMatch(/gpt5/);
  });

  it('deleting the model that is downloading stops that download, then deletes it', async () => {
    const downloads = new FakeDownloads();
    let started!: () => void;
    const downloading = new Promise<void>((r) => (started = r));
    downloads.ensure = async (input, _o, hooks) => {
      await hooks.beforeDownload?.(input);
      started();
      await new Promise<void>((_, reject) => hooks.signal?.addEventListener('abort', () => reject(new DOMException('stopped', 'AbortError'))));
      throw new Error('unreachable');
    };
    const session = new Session(parseUrlParams(''), { ...fakeDeps([new FakeEngine()], downloads), downloads: () => downloads });
    const opening = session.openModel('http://127.0.0.1/big.gguf');
    await downloading;
    expect(session.model.status).toBe('downloading');
    await session.deleteModel('http://127.0.0.1/big.gguf');
    await opening;
    expect(downloads.deleted).toContain('http://127.0.0.1/big.gguf');
    expect(session.model.status).toBe('idle');
  });
});

describe('opening a model in Firefox', () => {
  it('never waits for the persistent-storage prompt: persist() answers only once the user does', async () => {
    const persist = vi.fn(() => new Promise<boolean>(() => {})); // Firefox headless: never answers
    vi.stubGlobal('navigator', { storage: { persisted: async () => false, persist, estimate: async () => ({ usage: 0, quota: 1e10 }) } });
    try {
      const deps = fakeDeps([new FakeEngine()]);
      const session = new Session(parseUrlParams(''), deps);
      await session.start(); // a download (the fake cache is empty), then the load
      expect(session.model.status).toBe('ready');
      await expect.poll(() => persist.mock.calls.length).toBe(1); // still asked, just not awaited
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
