/**
 * Markdown for model replies. Model output is untrusted: marked renders it, DOMPurify removes
 * anything executable, and links open in a new tab without a referrer.
 *
 * The renderer is bounded, because a reply can be anything: marked recurses once per nesting level
 * (a 4 KB reply of nested `>` overflowed the stack and froze the chat), so text nested deeper than
 * MAX_NESTING, or longer than MAX_MARKDOWN_CHARS, is shown as plain text; so is anything that makes
 * marked or DOMPurify throw.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: true, async: false });

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

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML that shows it verbatim (line breaks kept by the paragraph's pre-wrap style). */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

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

export function renderMarkdown(text: string): string {
  if (text.length > MAX_MARKDOWN_CHARS || nestingDepth(text) > MAX_NESTING) return plain(text);
  try {
    const html = marked.parse(text) as string;
    return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'img'] }).trim();
  } catch {
    return plain(text); // a renderer failure must never take the chat with it
  }
}
