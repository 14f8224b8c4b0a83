// @vitest-environment jsdom
/**
 * A streaming reply's blocks shown in place (markdown/morph.ts), in jsdom's DOM: after every batch the
 * container holds exactly what the blocks' HTML parses to, finished blocks are never touched, text that
 * grows keeps its node (and a selection in it), and elements whose attributes change are updated.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdownBlocks } from '../../web/src/lib/markdown';
import { highlight } from '../../web/src/lib/markdown/hljs';
import { noBlocksShown, showBlocks } from '../../web/src/lib/markdown/morph';
import { REPLY } from './markdown-sample-reply';

/** What the blocks' HTML parses to on its own. */
const parsed = (blocks: readonly string[]): string => {
  const el = document.createElement('div');
  el.innerHTML = blocks.join('');
  return el.innerHTML;
};

describe('showing blocks in place', () => {
  it('matches a whole render after every batch of a stream, highlighted or not', () => {
    for (const hl of [null, highlight]) {
      const root = document.createElement('div');
      const shown = noBlocksShown();
      for (let n = 0; n <= REPLY.length; n += 3) {
        const blocks = renderMarkdownBlocks(REPLY.slice(0, n), hl);
        showBlocks(root, blocks, shown);
        expect(root.innerHTML, JSON.stringify(REPLY.slice(0, n))).toBe(parsed(blocks));
      }
      const blocks = renderMarkdownBlocks(REPLY, hl);
      showBlocks(root, blocks, shown);
      expect(root.innerHTML).toBe(parsed(blocks));
      expect(root.querySelectorAll('pre code .hljs-keyword').length > 0).toBe(hl !== null);
    }
  });

  it('highlights code already shown when the highlighter arrives', () => {
    const root = document.createElement('div');
    const shown = noBlocksShown();
    showBlocks(root, renderMarkdownBlocks(REPLY), shown);
    const code = root.querySelector('pre code');
    showBlocks(root, renderMarkdownBlocks(REPLY, highlight), shown);
    expect(root.innerHTML).toBe(parsed(renderMarkdownBlocks(REPLY, highlight)));
    expect(root.querySelector('pre code')).toBe(code);
  });

  it('brings attributes up to date: set, changed and removed', () => {
    const root = document.createElement('div');
    const shown = noBlocksShown();
    showBlocks(root, ['<p class="a" title="t">x <a href="https://e.x/a">l</a></p>'], shown);
    const p = root.firstChild;
    showBlocks(root, ['<p class="b" lang="en">x <a href="https://e.x/ab">l</a></p>'], shown);
    expect(root.innerHTML).toBe('<p class="b" lang="en">x <a href="https://e.x/ab">l</a></p>');
    expect(root.firstChild).toBe(p);
  });

  it('never touches a finished block, and keeps the growing text node with the selection in it', () => {
    const root = document.createElement('div');
    document.body.append(root);
    const shown = noBlocksShown();
    const text = 'First paragraph.\n\nThe second one grows';
    showBlocks(root, renderMarkdownBlocks(text), shown);
    const first = root.querySelector('p')!;
    const firstHtml = first.outerHTML;
    const growing = root.querySelectorAll('p')[1].firstChild as Text;
    const range = document.createRange();
    range.setStart(growing, 4);
    range.setEnd(growing, 10);
    // Anything that replaced the first block's nodes would drop this mark.
    (first as unknown as { mark: number }).mark = 1;

    showBlocks(root, renderMarkdownBlocks(`${text} and grows, **bold** now`), shown);
    expect(root.querySelector('p')).toBe(first);
    expect(first.outerHTML).toBe(firstHtml);
    expect((first as unknown as { mark?: number }).mark).toBe(1);
    expect(root.querySelectorAll('p')[1].firstChild).toBe(growing);
    expect(growing.data).toBe('The second one grows and grows, ');
    expect(range.toString()).toBe('second');
    root.remove();
  });

  it('replaces a node whose kind changed, and removes what is gone', () => {
    const root = document.createElement('div');
    const shown = noBlocksShown();
    showBlocks(root, renderMarkdownBlocks('Title\n\nbody\n\nmore'), shown);
    expect(root.querySelectorAll('p')).toHaveLength(3);
    // "Title" becomes a Setext heading: the <p> gives way to an <h1>.
    showBlocks(root, renderMarkdownBlocks('Title\n===\n\nbody'), shown);
    expect(root.innerHTML).toBe(parsed(renderMarkdownBlocks('Title\n===\n\nbody')));
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    // Another reply in the same place (a regenerated one): shorter, nothing of the old left.
    showBlocks(root, renderMarkdownBlocks('ok'), shown);
    expect(root.innerHTML).toBe(parsed(renderMarkdownBlocks('ok')));
    expect(root.children).toHaveLength(1);
    showBlocks(root, [], shown);
    expect(root.innerHTML).toBe('');
  });
});
