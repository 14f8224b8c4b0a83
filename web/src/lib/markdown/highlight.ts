/**
 * The lazy highlighter: highlight.js arrives through a dynamic import() (its own chunk) the first time
 * a reply holds a fenced code block; until then code shows unhighlighted. Results are cached by
 * language and code, so a finished block that is rendered again (a streaming tail) is not highlighted again.
 */
export type Highlight = (code: string, lang: string) => string | null;

const CACHE_LIMIT = 200;
/** After a failed load (offline, a blocked chunk), the next try waits this long: replies re-render every 100 ms. */
const RETRY_MS = 30_000;
let loaded: Highlight | null = null;
let loading: Promise<Highlight> | null = null;
let failedAt = -Infinity;

/** Wraps a highlighter in a bounded cache (oldest entry out first). */
export function cachedHighlight(highlight: Highlight, limit = CACHE_LIMIT): Highlight {
  const cache = new Map<string, string | null>();
  return (code, lang) => {
    const key = `${lang}\u0000${code}`;
    if (cache.has(key)) return cache.get(key)!;
    const html = highlight(code, lang);
    cache.set(key, html);
    if (cache.size > limit) cache.delete(cache.keys().next().value!);
    return html;
  };
}

/** The highlighter if it has arrived, else null. */
export const loadedHighlighter = (): Highlight | null => loaded;

/** Starts loading the highlighter once; a failed load is retried on a later call, at most every RETRY_MS. */
export function loadHighlighter(): Promise<Highlight> {
  if (!loading && performance.now() - failedAt < RETRY_MS) return Promise.reject(new Error('highlighter unavailable'));
  loading ??= import('./hljs').then(
    (m) => (loaded = cachedHighlight(m.highlight)),
    (e: unknown) => {
      loading = null;
      failedAt = performance.now();
      throw e;
    },
  );
  return loading;
}

/** Whether the text holds a fenced code block worth loading the highlighter for. */
export const hasFencedCode = (text: string): boolean => /^ {0,3}(```|~~~)/m.test(text);
