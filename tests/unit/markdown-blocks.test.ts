/**
 * Block-by-block rendering of a streaming reply (markdown/blocks.ts): on every prefix of sample
 * replies (each state a stream passes through), the blocks rendered alone and joined give exactly
 * the HTML of the whole text, and finished blocks stay the same while the tail grows.
 */
import { describe, expect, it } from 'vitest';
import { splitBlocks } from '../../web/src/lib/markdown/blocks';
import { highlight } from '../../web/src/lib/markdown/hljs';
import { markdownToHtml } from '../../web/src/lib/markdown/html';
import { REPLY } from './markdown-sample-reply';

const CASES: Record<string, string> = {
  reply: REPLY,
  'a list after a blank line continues': '- a\n\n- b\n\nafter',
  'a fence inside a list item': '1. step\n\n   ```sh\n   ls\n\n   pwd\n   ```\n\n2. next',
  'a <pre> block spans blank lines': 'x\n\n<pre>\n\nkeep\n</pre>\n\ny',
  'a reference definition at the end': 'see [docs]\n\nmore\n\n[docs]: https://example.com',
  'an unclosed fence at the end': 'intro\n\n```js\nconst a = 1;\n\nconst b = 2;',
  'CR and CRLF line ends': 'one\r\n\r\n```py\r\nx = 1\r\n```\r\rlast\r',
};

const joined = (text: string, hl = false) => splitBlocks(text).map((b) => markdownToHtml(b, hl ? highlight : null)).join('');

describe('splitting a reply into blocks', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`gives the same HTML as a whole render on every prefix: ${name}`, () => {
      for (let n = 0; n <= text.length; n++) {
        const prefix = text.slice(0, n);
        expect(joined(prefix), JSON.stringify(prefix)).toBe(markdownToHtml(prefix));
      }
      expect(joined(text, true)).toBe(markdownToHtml(text, highlight));
    });
  }

  it('splits a long reply into many blocks, and a finished block never changes as the tail grows', () => {
    const final = splitBlocks(REPLY);
    expect(final.length).toBeGreaterThan(10);
    expect(final.join('')).toBe(REPLY);
    for (let n = 0; n <= REPLY.length; n++) {
      const blocks = splitBlocks(REPLY.slice(0, n));
      blocks.slice(0, -1).forEach((b, i) => expect(b).toBe(final[i]));
    }
  });

  it('keeps blank lines inside a code fence in one block', () => {
    expect(splitBlocks('a\n\n```\nx\n\ny\n```\n\nb')).toEqual(['a\n\n', '```\nx\n\ny\n```\n\n', 'b']);
  });
});
