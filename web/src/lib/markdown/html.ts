/**
 * Markdown to HTML with marked, before sanitizing (markdown.ts runs DOMPurify over the result).
 * Beyond marked's defaults:
 *  - a fenced code block gets a header with its language and a copy button (Markdown.svelte handles
 *    the click by delegation: the sanitizer strips inline handlers), and highlighting once the lazy
 *    highlighter has arrived and the block is closed (a block still streaming waits);
 *  - an image becomes a placeholder button: nothing from a reply loads until the user asks
 *    (a reply can carry a tracking URL); only http(s) images can be loaded. An <img> tag in raw
 *    HTML becomes the same placeholder (DOMPurify would drop it, leaving no trace);
 *  - a link to anything but http(s), mailto or a relative URL keeps its text and loses the link.
 * No DOM is needed here, so the unit tests check this HTML in Node.
 */
import { Marked, type Tokens } from 'marked';
import { escapeHtml } from './escape';
import type { Highlight } from './highlight';
import { safeLinkHref, webUrl } from './urls';

let highlighter: Highlight | null = null;

/** A language name fit for a label and a class name (info strings are free text). */
const languageOf = (lang: string | undefined): string => {
  const name = (lang ?? '').trim().split(/\s/)[0].toLowerCase();
  return /^[a-z0-9_+#.-]{1,32}$/.test(name) ? name : '';
};

/** Whether a fenced block's raw text ends with its closing fence (an indented block is always complete). */
function isClosed(token: Tokens.Code): boolean {
  if (token.codeBlockStyle === 'indented') return true;
  const lines = token.raw.replace(/\n+$/, '').split('\n');
  const open = /^ {0,3}(`{3,}|~{3,})/.exec(lines[0])?.[1];
  const last = lines[lines.length - 1];
  if (!open || lines.length < 2) return false;
  const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(last)?.[1];
  return close !== undefined && close[0] === open[0] && close.length >= open.length;
}

export function codeBlockHtml(code: string, lang: string, highlighted: string | null): string {
  const cls = lang ? ` class="hljs language-${lang}"` : '';
  return (
    `<div class="code-block"><div class="code-head"><span class="code-lang" data-testid="code-lang">${lang || 'code'}</span>` +
    `<button type="button" class="code-copy" data-testid="code-copy">Copy</button></div>` +
    // tabindex: a block that scrolls sideways must be reachable (and scrollable) with the keyboard.
    `<pre tabindex="0"><code${cls}>${highlighted ?? escapeHtml(code)}</code></pre></div>\n`
  );
}

export function imagePlaceholderHtml(href: string, alt: string): string {
  const url = webUrl(href);
  const label = alt.trim() || 'untitled';
  if (!url) return `<span class="image-placeholder blocked" data-testid="image-placeholder">Image: ${escapeHtml(label)} (not a web address, not loaded)</span>`;
  return (
    `<button type="button" class="image-placeholder" data-testid="image-placeholder" data-src="${escapeHtml(url.href)}" ` +
    `data-alt="${escapeHtml(alt)}" title="${escapeHtml(url.href)}">Image: ${escapeHtml(label)} — load from ${escapeHtml(url.host)}</button>`
  );
}

const IMG_TAG = /<img\b[^>]*>/gi;

/** One attribute's value from a raw tag (quoted or not); entities stay as written. */
const attribute = (tag: string, name: string): string =>
  new RegExp(`[\\s/]${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'=<>\`]+))`, 'i')
    .exec(tag)
    ?.slice(1)
    .find((v) => v !== undefined) ?? '';

/** Raw HTML with each <img> tag replaced by a placeholder. */
export const imgTagsToPlaceholders = (html: string): string =>
  html.replace(IMG_TAG, (tag) => imagePlaceholderHtml(attribute(tag, 'src'), attribute(tag, 'alt')));

const marked = new Marked({ gfm: true, breaks: true, async: false });
marked.use({
  renderer: {
    code(token) {
      const lang = languageOf(token.lang);
      const code = token.text;
      const highlighted = highlighter && lang && isClosed(token) ? highlighter(code, lang) : null;
      return codeBlockHtml(code, lang, highlighted);
    },
    image(token) {
      const alt = token.tokens ? this.parser.parseInline(token.tokens, this.parser.textRenderer) : token.text;
      return imagePlaceholderHtml(token.href, alt);
    },
    html(token) {
      return imgTagsToPlaceholders(token.text);
    },
    link(token) {
      if (safeLinkHref(token.href)) return false; // marked's own rendering
      return this.parser.parseInline(token.tokens);
    },
  },
});

/** The Markdown as HTML, unsanitized; `highlight` colours closed fenced code blocks when given. */
export function markdownToHtml(text: string, highlight: Highlight | null = null): string {
  highlighter = highlight;
  try {
    return marked.parse(text) as string;
  } finally {
    highlighter = null;
  }
}
