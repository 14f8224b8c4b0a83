/**
 * The offline half of the service worker, as pure functions (no service-worker globals) so that
 * tests/unit/sw-offline.test.ts can drive them with plain fakes: which precached page answers a
 * navigation, and the network-first race with a short timeout.
 */

/** How long a navigation waits for the network before the precached page answers instead. */
export const NAVIGATION_TIMEOUT_MS = 3000;

/** The message a page posts to a waiting worker when the user agreed to switch (UpdateBanner.svelte). */
export const SKIP_WAITING = 'SKIP_WAITING';

/**
 * The precached URL that stands in for a navigation to `url`: the page itself without its query
 * (`?model=…` and friends are read by the app, not by the host), and `index.html` for a folder.
 * `/embed` is the widget's extension-less URL (policyForPath knows it too).
 */
export function navigationFallbackUrl(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  if (u.pathname.endsWith('/')) u.pathname += 'index.html';
  else if (u.pathname.endsWith('/embed')) u.pathname += '.html';
  return u.href;
}

/**
 * Network first, with a fallback after `timeoutMs` or on a network error. When there is no fallback
 * the network's own answer (or error) is what the page gets, however late: a page never answers
 * sooner with nothing.
 */
export async function networkFirst(
  network: () => Promise<Response>,
  fallback: () => Promise<Response | undefined>,
  timeoutMs: number,
): Promise<Response> {
  const fromNetwork = network();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const first = await Promise.race([fromNetwork, timedOut]);
    if (first !== 'timeout') return first;
  } catch (e) {
    const cached = await fallback();
    if (cached) return cached;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  // Slow network: the cached page now, or the network's answer when nothing is cached.
  fromNetwork.catch(() => undefined); // the late result is not awaited when the fallback answers
  return (await fallback()) ?? fromNetwork;
}
