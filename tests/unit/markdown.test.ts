import { describe, expect, it } from 'vitest';
import { MAX_MARKDOWN_CHARS, MAX_NESTING, nestingDepth, renderMarkdown } from '../../web/src/lib/markdown';

describe('the reply renderer is bounded and never throws', () => {
  it('renders a 4 KB reply of nested ">" as escaped plain text instead of overflowing the stack', () => {
    const payload = '>'.repeat(4000);
    const html = renderMarkdown(payload);
    expect(html).toBe(`<p class="plain">${'&gt;'.repeat(4000)}</p>`);
  });

  it('treats "> > > …" with spaces the same way', () => {
    const payload = '> '.repeat(2000) + 'deep';
    expect(nestingDepth(payload)).toBeGreaterThan(MAX_NESTING);
    expect(renderMarkdown(payload)).toContain('&gt; &gt; &gt;');
  });

  it('leaves ordinary quotes, nested lists and indented code under the depth bound', () => {
    // (Node has no DOM for DOMPurify, so the rendered HTML itself is checked in the browser tests.)
    expect(nestingDepth('> quoted **bold**')).toBe(1);
    expect(nestingDepth('- a\n  - b\n    - c')).toBe(3);
    expect(nestingDepth('```\n' + ' '.repeat(80) + 'code\n```')).toBe(0);
  });

  it('escapes markup in the plain-text fallback', () => {
    const html = renderMarkdown('>'.repeat(100) + '<img src=x onerror=alert(1)>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('falls back to plain text when marked itself throws (8,000 nested emphasis markers)', () => {
    const payload = '*'.repeat(4000) + 'a' + '*'.repeat(4000);
    expect(nestingDepth(payload)).toBeLessThanOrEqual(MAX_NESTING); // not caught by the depth bound
    expect(renderMarkdown(payload)).toBe(`<p class="plain">${payload}</p>`);
  });

  it('refuses a 400-level nested list before marked spends a second on it', () => {
    const list = Array.from({ length: 400 }, (_, i) => ' '.repeat(i * 2) + '- x').join('\n');
    expect(nestingDepth(list)).toBeGreaterThan(MAX_NESTING);
    expect(renderMarkdown(list).startsWith('<p class="plain">')).toBe(true);
  });

  it('shows text past the length bound as plain text', () => {
    const long = '**x** '.repeat(MAX_MARKDOWN_CHARS / 6 + 10);
    expect(renderMarkdown(long).startsWith('<p class="plain">**x**')).toBe(true);
  });
});
