import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkContext, checkParam, checkSeed, DEFAULT_PARAMS } from '../../web/src/lib/settings';
import { contextBounds } from '../../web/src/lib/context-bounds';
import { rateText } from '../../web/src/lib/components/gen-stats-text';
import { loadPrefs } from '../../web/src/lib/engine-prefs';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { SettingsState } from '../../web/src/lib/state/settings.svelte';

/** A Map-backed localStorage, as much of it as storage-access.ts uses. */
function fakeStorage(initial: Record<string, string> = {}): Storage {
  const map = new Map(Object.entries(initial));
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

describe('sampling fields are refused with a reason, never clamped', () => {
  it.each([
    ['temperature', '9', /at most 5/],
    ['temperature', '-0.1', /at least 0/],
    ['max_tokens', '-1', /at least 1/],
    ['max_tokens', '2.5', /whole number/],
    ['top_k', '0', /at least 1/],
    ['top_k', '51', /at most 50/],
    ['top_p', '2.01', /at most 2/],
    ['repetition_penalty', '3', /at most 2/],
    ['frequency_penalty', '', /Enter a number/],
    ['presence_penalty', 'abc', /not a number/],
  ] as const)('%s = %j', (key, raw, reason) => {
    const checked = checkParam(key, raw);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });

  it('accepts the ends of each range', () => {
    expect(checkParam('temperature', '5')).toEqual({ ok: true, value: 5 });
    expect(checkParam('temperature', '0')).toEqual({ ok: true, value: 0 });
    expect(checkParam('top_k', '50')).toEqual({ ok: true, value: 50 });
    expect(checkParam('max_tokens', '1')).toEqual({ ok: true, value: 1 });
  });

  it('max_tokens may not exceed the loaded context', () => {
    expect(checkParam('max_tokens', '2048', 2048).ok).toBe(true);
    const over = checkParam('max_tokens', '2049', 2048);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.reason).toContain('2048');
  });

  it('a seed is empty (random) or a whole number ≥ 0', () => {
    expect(checkSeed('')).toEqual({ ok: true, value: undefined });
    expect(checkSeed('0')).toEqual({ ok: true, value: 0 });
    expect(checkSeed('42')).toEqual({ ok: true, value: 42 });
    expect(checkSeed('-5').ok).toBe(false);
    expect(checkSeed('1.5').ok).toBe(false);
  });

  it('the context is bounded by the trained context and by what fits', () => {
    const bounds = { trained: 8192, fits: 4096 };
    expect(checkContext('', bounds)).toEqual({ ok: true, value: undefined });
    expect(checkContext('2048', bounds)).toEqual({ ok: true, value: 2048 });
    expect(checkContext('100', bounds).ok).toBe(false);
    const trained = checkContext('9000', bounds);
    expect(trained.ok === false && trained.reason).toMatch(/trained/);
    const memory = checkContext('6000', bounds);
    expect(memory.ok === false && memory.reason).toMatch(/memory/);
  });
});

describe('context bounds of a loaded model', () => {
  const meta = {
    'general.architecture': 'llama',
    'llama.context_length': '8192',
    'llama.block_count': '32',
    'llama.embedding_length': '4096',
    'llama.attention.head_count': '32',
    'llama.attention.head_count_kv': '8',
    'llama.feed_forward_length': '14336',
  };
  it('reads the trained context and lets the planner cap it', () => {
    // Starling-7B's shape at 2 GB of weights: its whole 8192-token context fits wllama's 4 GiB on the CPU.
    expect(contextBounds({ metadata: meta, nVocab: 32002, modelBytes: 2.0e9, backend: 'cpu' }, {})).toEqual({ trained: 8192, fits: 8192 });
    // At 4 GB of weights almost nothing is left for the context cache.
    const big = contextBounds({ metadata: meta, nVocab: 32002, modelBytes: 4.0e9, backend: 'cpu' }, {});
    expect(big.trained).toBe(8192);
    expect(big.fits ?? 0).toBeLessThan(8192);
  });
  it('says nothing it does not know', () => {
    expect(contextBounds({ metadata: {}, nVocab: 32002, modelBytes: 1e6, backend: 'cpu' }, {})).toEqual({ trained: null, fits: null });
  });
});

describe('reply speed text', () => {
  it('never shows 0.0 tok/s', () => {
    expect(rateText(0, 0)).toBe('—');
    expect(rateText(0, 1)).toBe('1 token');
    expect(rateText(1234, 1)).toBe('1 token');
    expect(rateText(0, 7)).toBe('7 tokens');
    expect(rateText(Number.NaN, 7)).toBe('7 tokens');
    expect(rateText(42.25, 7)).toBe('42.3 tok/s');
    expect(rateText(150.4, 90)).toBe('150 tok/s');
  });
});

describe('SettingsState keeps only values it accepted', () => {
  let storage: Storage;
  beforeEach(() => {
    storage = fakeStorage();
    vi.stubGlobal('localStorage', storage);
  });
  afterEach(() => vi.unstubAllGlobals());
  const saved = (): Record<string, unknown> => JSON.parse(storage.getItem(PREF_KEYS.settings) ?? '{}') as Record<string, unknown>;

  it('a refused value changes nothing, in memory or in storage', () => {
    const s = new SettingsState();
    expect(s.set('temperature', '0.7').ok).toBe(true);
    expect(s.set('temperature', '9').ok).toBe(false);
    expect(s.params.temperature).toBe(0.7);
    expect(saved().temperature).toBe(0.7);
    expect(s.setSeed('-5').ok).toBe(false);
    expect(s.params.seed).toBeUndefined();
    expect(s.setSeed('0').ok).toBe(true);
    expect(s.params.seed).toBe(0);
  });

  it('out-of-range saves (from older versions) fall back to the defaults, not to a clamped value', () => {
    storage.setItem(PREF_KEYS.settings, JSON.stringify({ temperature: 9, max_tokens: -1, top_k: 20, seed: -5 }));
    const s = new SettingsState();
    expect(s.params.temperature).toBe(DEFAULT_PARAMS.temperature);
    expect(s.params.max_tokens).toBe(DEFAULT_PARAMS.max_tokens);
    expect(s.params.top_k).toBe(20);
    expect(s.params.seed).toBeUndefined();
  });

  it('streaming and the defaults for new conversations persist', () => {
    const s = new SettingsState();
    expect(s.stream).toBe(true);
    expect(s.defaultTemplate).toBe('auto');
    s.setChatDefaults({ stream: false, defaultSystemPrompt: 'Be brief.', defaultTemplate: 'openchat' });
    const again = new SettingsState();
    expect([again.stream, again.defaultSystemPrompt, again.defaultTemplate]).toEqual([false, 'Be brief.', 'openchat']);
    storage.setItem(PREF_KEYS.chat, JSON.stringify({ stream: 'no', defaultTemplate: 'chatml' }));
    const bad = new SettingsState();
    expect([bad.stream, bad.defaultSystemPrompt, bad.defaultTemplate]).toEqual([true, '', 'auto']);
  });

  it('the default template applies to a new conversation unless the model cannot use it', () => {
    const s = new SettingsState();
    expect(s.templateFor('starchat', false)).toBe('starchat'); // auto: the model's own choice
    s.setChatDefaults({ defaultTemplate: 'raw' });
    expect(s.templateFor('openchat', false)).toBe('raw');
    s.setChatDefaults({ defaultTemplate: 'gguf' });
    expect(s.templateFor('openchat', false)).toBe('openchat');
    expect(s.templateFor('openchat', true)).toBe('gguf');
  });

  it('the context size persists with the engine settings', () => {
    new SettingsState().setEngine({ ctx: 2048 });
    expect(loadPrefs().ctx).toBe(2048);
    storage.setItem(PREF_KEYS.engine, JSON.stringify({ backend: 'cpu', ctx: 12 }));
    expect(loadPrefs().ctx).toBeUndefined();
  });
});
