/**
 * The reply renderer's HTML before sanitizing (markdown/html.ts): code blocks with a language label
 * and a copy button, highlighting of closed blocks only, tables, images as placeholders that load
 * nothing, and links without dangerous schemes. (DOMPurify needs a DOM; the e2e test covers it.)
 */
import { describe, expect, it } from 'vitest';
import { hasFencedCode, cachedHighlight } from '../../web/src/lib/markdown/highlight';
import { highlight } from '../../web/src/lib/markdown/hljs';
import { markdownToHtml } from '../../web/src/lib/markdown/html';

describe('code blocks', () => {
  it('get a language label, a copy button and the escaped code', () => {
    const html = markdownToHtml('```python\nif a < b:\n    print("<b>")\n```');
    expect(html).toBe(
      '<div class="code-block"><div class="code-head"><span class="code-lang" data-testid="code-lang">python</span>' +
        '<button type="button" class="code-copy" data-testid="code-copy">Copy</button></div>' +
        '<pre tabindex="0"><code class="hljs language-python">if a &lt; b:\n    print(&quot;&lt;b&gt;&quot;)</code></pre></div>\n',
    );
  });

  it('label a block without a language "code", and keep a hostile info string out of the markup', () => {
    expect(markdownToHtml('```\nx\n```')).toContain('<span class="code-lang" data-testid="code-lang">code</span><button');
    const html = markdownToHtml('```"><img/src=x>\nx\n```');
    expect(html).not.toContain('<img');
    expect(html).toContain('data-testid="code-lang">code</span>');
  });

  it('are highlighted once closed, when the highlighter is there', () => {
    const html = markdownToHtml('```python\ndef add(a, b):\n    return a + b\n```', highlight);
    expect(html).toContain('<span class="hljs-keyword">def</span>');
    expect(html).toContain('<span class="hljs-keyword">return</span>');
  });

  it('are not highlighted while still open (streaming), nor in a language not registered', () => {
    expect(markdownToHtml('```python\ndef add(a, b):\n    return a', highlight)).not.toContain('hljs-keyword');
    expect(markdownToHtml('```brainfuck\n+++.\n```', highlight)).not.toContain('<span class="hljs-');
  });

  it('are highlighted once per language and code (a re-rendered tail does not highlight again)', () => {
    let calls = 0;
    const counted = cachedHighlight((code, lang) => (calls++, highlight(code, lang)));
    for (let i = 0; i < 3; i++) markdownToHtml('```js\nconst x = 1;\n```', counted);
    expect(calls).toBe(1);
  });

  it('make the highlighter load only for text with a fence', () => {
    expect(hasFencedCode('text\n```js\nx')).toBe(true);
    expect(hasFencedCode('inline `code` only')).toBe(false);
  });
});

describe('tables', () => {
  it('render as a table with a header row and body cells', () => {
    const html = markdownToHtml('| a | b |\n|---|---|\n| 1 | 2 |');
    expect(html).toMatch(/^<table>\s*<thead>\s*<tr>\s*<th>a<\/th>\s*<th>b<\/th>/);
    expect(html).toMatch(/<tbody><tr>\s*<td>1<\/td>\s*<td>2<\/td>/);
  });
});

describe('images', () => {
  it('become a placeholder button that names the image and its host, never an <img>', () => {
    const html = markdownToHtml('![a "cat"](https://img.example/cat.png?track=1&u=2)');
    expect(html).not.toContain('<img');
    expect(html).toBe(
      '<p><button type="button" class="image-placeholder" data-testid="image-placeholder" data-src="https://img.example/cat.png?track=1&amp;u=2" ' +
        'data-alt="a &quot;cat&quot;" title="https://img.example/cat.png?track=1&amp;u=2">Image: a &quot;cat&quot; — load from img.example</button></p>\n',
    );
  });

  it('that are not http(s) show as text only, with nothing to load', () => {
    for (const src of ['javascript:alert(1)', 'data:image/svg+xml,<svg/onload=alert(1)>', 'file:///etc/passwd', '/relative.png']) {
      const html = markdownToHtml(`![x](${src})`);
      expect(html).not.toContain('data-src');
      expect(html).not.toContain('<img');
      expect(html).toContain('not loaded');
    }
  });
});

describe('raw HTML images', () => {
  it('become the same placeholders, inline or inside an HTML block, quoted or not', () => {
    const inline = markdownToHtml('see <img src="https://t.example/p.gif?u=1" alt="pixel"> here');
    expect(inline).not.toContain('<img');
    expect(inline).toContain('data-src="https://t.example/p.gif?u=1" data-alt="pixel"');
    const block = markdownToHtml("<p align=center>\n<IMG ALT='logo' SRC=https://t.example/logo.png>\n</p>");
    expect(block).not.toMatch(/<img/i);
    expect(block).toContain('data-src="https://t.example/logo.png" data-alt="logo"');
  });

  it('with a script-bearing or non-web source show as text only', () => {
    const html = markdownToHtml('<img src=x onerror=alert(1)> <img src="javascript:alert(1)"> <img/src=x onerror=alert(2)>');
    expect(html).not.toMatch(/<img|data-src/i);
    expect(html.match(/not loaded/g)).toHaveLength(2);
    expect(html).toContain('&lt;img/src=x onerror=alert(2)&gt;'); // not a tag for CommonMark: shown as text
  });
});

describe('links', () => {
  it('keep http(s), mailto and relative targets', () => {
    expect(markdownToHtml('[a](https://example.com/x)')).toBe('<p><a href="https://example.com/x">a</a></p>\n');
    expect(markdownToHtml('[m](mailto:x@example.com)')).toContain('href="mailto:x@example.com"');
    expect(markdownToHtml('[r](#part)')).toContain('href="#part"');
  });

  it('lose their target for javascript:, data: and other schemes, keeping the text', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x']) {
      expect(markdownToHtml(`[click](${href})`), href).toBe('<p>click</p>\n');
    }
    expect(markdownToHtml('<javascript:alert(1)>')).not.toContain('href="javascript');
  });
});
