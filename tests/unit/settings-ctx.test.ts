/** The context size a load asks for: the address's `ctx=` wins, then the Settings panel's, then DEFAULT_CTX. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../web/src/lib/session.svelte';
import { parseUrlParams } from '../../web/src/lib/url-params';
import { DEFAULT_CTX } from '../../web/src/lib/settings';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { FakeEngine, fakeDeps } from './fakes/session-fakes';

function withSavedCtx(ctx: number | undefined): void {
  const map = new Map<string, string>();
  if (ctx !== undefined) map.set(PREF_KEYS.engine, JSON.stringify({ backend: 'auto', ctx }));
  vi.stubGlobal('localStorage', { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) });
}

describe('the context size of a load', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is DEFAULT_CTX when nothing sets it', () => {
    withSavedCtx(undefined);
    expect(new Session(parseUrlParams(''), fakeDeps([new FakeEngine()])).loadConfig().ctx).toBe(DEFAULT_CTX);
  });

  it('is the Settings panel’s when the address gives none', () => {
    withSavedCtx(2048);
    expect(new Session(parseUrlParams(''), fakeDeps([new FakeEngine()])).loadConfig().ctx).toBe(2048);
  });

  it('is the address’s ctx= whatever the panel says', () => {
    withSavedCtx(2048);
    expect(new Session(parseUrlParams('?ctx=1024'), fakeDeps([new FakeEngine()])).loadConfig().ctx).toBe(1024);
  });
});
