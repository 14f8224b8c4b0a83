import { afterEach, describe, expect, it, vi } from 'vitest';
import { navigationFallbackUrl, networkFirst, SKIP_WAITING as SW_SKIP_WAITING } from '../../web/src/sw/offline';
import { SKIP_WAITING } from '../../web/src/lib/sw-register';

describe('navigationFallbackUrl', () => {
  it('maps a folder to its index.html and drops the query (the app reads it, not the host)', () => {
    expect(navigationFallbackUrl('https://a.example/?model=x.gguf')).toBe('https://a.example/index.html');
    expect(navigationFallbackUrl('https://user.github.io/repo/sub/?panel=storage#x')).toBe('https://user.github.io/repo/sub/index.html');
  });
  it('keeps a named page, and gives the widget extension-less URL its file', () => {
    expect(navigationFallbackUrl('https://a.example/embed.html?parent=https://b')).toBe('https://a.example/embed.html');
    expect(navigationFallbackUrl('https://a.example/repo/embed')).toBe('https://a.example/repo/embed.html');
  });
});

describe('networkFirst', () => {
  afterEach(() => vi.useRealTimers());
  const page = (body: string) => new Response(body);
  const never = () => new Promise<Response>(() => undefined);

  it('returns the network answer when it comes in time, without reading the cache', async () => {
    const fallback = vi.fn(async () => page('cached'));
    const r = await networkFirst(async () => page('network'), fallback, 3000);
    expect(await r.text()).toBe('network');
    expect(fallback).not.toHaveBeenCalled();
  });

  it('answers from the cache at once when the network fails (offline)', async () => {
    const r = await networkFirst(() => Promise.reject(new TypeError('Failed to fetch')), async () => page('cached'), 3000);
    expect(await r.text()).toBe('cached');
  });

  it('rethrows the network error when nothing is cached', async () => {
    await expect(networkFirst(() => Promise.reject(new TypeError('Failed to fetch')), async () => undefined, 3000)).rejects.toThrow('Failed to fetch');
  });

  it('answers from the cache after the timeout when the network hangs', async () => {
    vi.useFakeTimers();
    const pending = networkFirst(never, async () => page('cached'), 3000);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(2999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await (await pending).text()).toBe('cached');
  });

  it('keeps waiting for a slow network when nothing is cached', async () => {
    vi.useFakeTimers();
    let answer: (r: Response) => void = () => undefined;
    const pending = networkFirst(() => new Promise<Response>((resolve) => (answer = resolve)), async () => undefined, 3000);
    await vi.advanceTimersByTimeAsync(5000);
    answer(page('late'));
    expect(await (await pending).text()).toBe('late');
  });
});

it('the page and the worker agree on the SKIP_WAITING message (sw-register.ts must not import from web/src/sw/)', () => {
  expect(SKIP_WAITING).toBe(SW_SKIP_WAITING);
});
