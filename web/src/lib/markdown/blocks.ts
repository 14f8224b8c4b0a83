/**
 * Splits a reply into Markdown blocks that render alone exactly as they do together, so a streaming
 * reply re-renders only its growing tail: each finished block is rendered once and cached by content.
 *
 * A split goes before a line that follows a blank line outside a code fence, starts in column 0
 * and is not a list item (a list continues across blank lines), nor the start of one still
 * streaming. Whatever can span blank lines is kept whole: text with a reference link definition
 * (it applies to the whole reply) or an HTML block that only ends at its closing tag (<pre>,
 * <script>, <style>, <textarea>, comments, processing instructions, declarations, CDATA).
 * tests/unit/markdown-blocks.test.ts checks, on every prefix of sample replies, that the blocks'
 * HTML joined equals the whole text's.
 */
const UNSPLITTABLE = /^ {0,3}(?:\[[^\]\n]+\]:|<(?:pre|script|style|textarea)(?:[\s>]|$)|<!|<\?)/im;
const LIST_ITEM = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const BLANK = /^[ \t]*$/;

export function splitBlocks(input: string): string[] {
  // marked treats \r\n and \r as line ends too; with one kind of line end the split sees every line.
  const text = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  if (UNSPLITTABLE.test(text)) return [text];
  const blocks: string[] = [];
  let fence: string | null = null;
  let start = 0;
  let prevBlank = false;
  let pos = 0;
  while (pos <= text.length) {
    const end = text.indexOf('\n', pos);
    const line = text.slice(pos, end === -1 ? text.length : end);
    // A last line still streaming ("1", "-") may yet become a list item: no split before it yet.
    const maybeItem = LIST_ITEM.test(line) || (end === -1 && /^(?:\d{1,9}|[-*+])$/.test(line));
    if (!fence && prevBlank && line && !/^[ \t]/.test(line) && !maybeItem) {
      blocks.push(text.slice(start, pos));
      start = pos;
    }
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length && BLANK.test(f[2])) fence = null;
      prevBlank = false; // blank lines inside a fence do not count
    } else if (f && !(f[1][0] === '`' && f[2].includes('`'))) {
      fence = f[1];
      prevBlank = false;
    } else {
      prevBlank = BLANK.test(line);
    }
    if (end === -1) break;
    pos = end + 1;
  }
  blocks.push(text.slice(start));
  return blocks;
}
