/**
 * Markdown for model replies. Model output is untrusted: marked renders it (markdown/html.ts: code
 * blocks with a copy button, images as placeholders that load only on a click), DOMPurify removes
 * anything executable, and links open in a new tab without a referrer.
 *
 * While a reply streams, renderMarkdownBlocks renders it block by block (markdown/blocks.ts): a
 * finished block is rendered and sanitized once and then comes from a cache, only the tail is
 * rendered again on each update.
 *
 * The renderer is bounded, because a reply can be anything: marked recurses once per nesting level
 * (a 4 KB reply of nested `>` overflowed the stack and froze the chat), so text nested deeper than
 * MAX_NESTING, or longer than MAX_MARKDOWN_CHARS, is shown as plain text; so is anything that makes
 * marked or DOMPurify throw.
 */
import DOMPurify from 'dompurify';
import { splitBlocks } from './markdown/blocks';
import { escapeHtml } from './markdown/escape';
import type { Highlight } from './markdown/highlight';
import { markdownToHtml } from './markdown/html';

/** Deeper block nesting (quotes, lists) than any real reply uses. */
export const MAX_NESTING = 16;
/** Past this length one render costs too long on the main thread (it reruns while a reply streams). */
export const MAX_MARKDOWN_CHARS = 50_000;

// Without a DOM (the unit tests' Node) DOMPurify has no hooks; every browser page has one.
DOMPurify.addHook?.('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

/** Text as HTML that shows it verbatim (line breaks kept by the paragraph's pre-wrap style). */
const plain = (text: string): string => `<p class="plain">${escapeHtml(text)}</p>`;

/**
 * The deepest block nesting a line opens: its `>` quote markers and list bullets, plus two leading
 * spaces per level before a bullet (nested lists). Indented code without markers does not count.
 */
export function nestingDepth(text: string): number {
  let max = 0;
  for (const line of text.split('\n')) {
    const indent = /^[ \t]*/.exec(line)![0].length;
    let markers = 0;
    for (let i = indent; i < line.length; i++) {
      const c = line[i];
      if (c === '>') markers++;
      else if ((c === '-' || c === '*' || c === '+') && (line[i + 1] === ' ' || line[i + 1] === undefined)) markers++;
      else if (c !== ' ' && c !== '\t') break;
    }
    if (markers === 0) continue;
    max = Math.max(max, markers + Math.floor(indent / 2));
    if (max > MAX_NESTING) return max;
  }
  return max;
}

const SANITIZE = { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'img'] };

const tooBig = (text: string): boolean => text.length > MAX_MARKDOWN_CHARS || nestingDepth(text) > MAX_NESTING;

function toSafeHtml(text: string, highlight: Highlight | null): string {
  return DOMPurify.sanitize(markdownToHtml(text, highlight), SANITIZE).trim();
}

/** A bit of every construct, for warmMarkdown. */
const WARM_SAMPLE = [
  '# Title', 'Sub\n---', 'Some **strong**, *em*, `code` and [a link](https://example.com/).',
  '- one\n- two\n\n1. first\n2. second', '> quoted', '```js\nlet a = 1;\n```', '| a | b |\n|---|---|\n| 1 | 2 |', '***',
].join('\n\n');

/**
 * Renders a sample once, when the page is idle: marked's and DOMPurify's first use (compiling their
 * regular expressions) took 20-40 ms, which otherwise fell on the first message sent, a main-thread
 * task of over 50 ms with the engine starting on the same cores.
 */
export function warmMarkdown(): void {
  const run = (): void => void renderMarkdown(WARM_SAMPLE);
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 5000 });
  else setTimeout(run, 1000);
}

export function renderMarkdown(text: string, highlight: Highlight | null = null): string {
  if (tooBig(text)) return plain(text);
  try {
    return toSafeHtml(text, highlight);
  } catch {
    return plain(text); // a renderer failure must never take the chat with it
  }
}

/** Rendered blocks by content; enough for the replies on screen, bounded for long sessions. */
const BLOCK_CACHE_LIMIT = 500;
const blockCache = new Map<string, string>();

function cachedBlock(block: string, highlight: Highlight | null): string {
  // Highlighting changes only blocks with a fence: the rest keep one entry whether or not it has arrived.
  const key = (highlight && /```|~~~/.test(block) ? 'h' : 'p') + block;
  let html = blockCache.get(key);
  if (html === undefined) {
    html = toSafeHtml(block, highlight);
    blockCache.set(key, html);
    if (blockCache.size > BLOCK_CACHE_LIMIT) blockCache.delete(blockCache.keys().next().value!);
  }
  return html;
}

/**
 * The reply as one sanitized HTML string per Markdown block (their concatenation renders as the
 * whole text would). Finished blocks come from the cache; the same bounds and plain-text fallback
 * as renderMarkdown apply to the whole text.
 */
export function renderMarkdownBlocks(text: string, highlight: Highlight | null = null): string[] {
  if (tooBig(text)) return [plain(text)];
  try {
    return splitBlocks(text).map((block) => cachedBlock(block, highlight));
  } catch {
    return [plain(text)];
  }
}
