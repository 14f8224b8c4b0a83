/**
 * What the session takes from Settings: the context size of a load (the address's `ctx=` wins, then
 * the Settings panel's, then DEFAULT_CTX), and the default template and system prompt a conversation
 * starts with.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../web/src/lib/session.svelte';
import { parseUrlParams } from '../../web/src/lib/url-params';
import { DEFAULT_CTX } from '../../web/src/lib/settings';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { FakeEngine, fakeDeps, fakeInfo } from './fakes/session-fakes';

function withSaved(prefs: Partial<Record<keyof typeof PREF_KEYS, unknown>>): void {
  const map = new Map<string, string>(Object.entries(prefs).map(([k, v]) => [PREF_KEYS[k as keyof typeof PREF_KEYS], JSON.stringify(v)]));
  vi.stubGlobal('localStorage', { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) });
}

const session = (search = '', engine = new FakeEngine()) => new Session(parseUrlParams(search), fakeDeps([engine]));

describe('the context size of a load', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is DEFAULT_CTX when nothing sets it', () => {
    withSaved({});
    expect(session().loadConfig().ctx).toBe(DEFAULT_CTX);
  });

  it('is the Settings panel’s when the address gives none', () => {
    withSaved({ engine: { backend: 'auto', ctx: 2048 } });
    expect(session().loadConfig().ctx).toBe(2048);
  });

  it('is the address’s ctx= whatever the panel says', () => {
    withSaved({ engine: { backend: 'auto', ctx: 2048 } });
    expect(session('?ctx=1024').loadConfig().ctx).toBe(1024);
  });
});

describe('the defaults for conversations', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a loaded model gets the default template, and each conversation the default system prompt', async () => {
    withSaved({ chat: { stream: true, defaultSystemPrompt: 'Be brief.', defaultTemplate: 'raw' } });
    const s = session();
    expect(s.chat.systemPrompt).toBe('Be brief.');
    await s.start();
    expect(s.chat.template).toBe('raw');
    s.chat.systemPrompt = 'Something else';
    s.newChat();
    expect(s.chat.systemPrompt).toBe('Be brief.');
  });

  it("'auto' keeps the template that fits the model", async () => {
    withSaved({});
    const engine = new FakeEngine();
    engine.info = fakeInfo({ profile: { ...fakeInfo().profile, defaultTemplate: 'starchat' } });
    const s = session('', engine);
    await s.start();
    expect(s.chat.template).toBe('starchat');
  });
});
