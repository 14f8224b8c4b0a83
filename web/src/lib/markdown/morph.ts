/**
 * Shows a reply's rendered Markdown blocks (renderMarkdownBlocks) in a container, changing the DOM in
 * place. While a reply streams only its tail block changes, mostly by text appended to its last
 * paragraph or code line; replacing that block's nodes on each batch (what `{@html}` does) threw
 * away what the reader had selected in it, and a button in it being clicked.
 *
 * So a changed block is parsed apart and its nodes are morphed into the ones shown: the same
 * elements stay (their attributes brought up to date), and a text node whose new text extends the
 * old one gets the rest appended (appendData), which keeps a selection in it. Unchanged blocks are
 * not touched at all. (On the bench's random text it saved no measurable main-thread time.)
 *
 * Hand-written rather than morphdom: morphdom sets a text node's whole value (`nodeValue =`), which
 * collapses a selection inside it, and streaming needs only this one case done well.
 *
 * The HTML comes sanitized (markdown.ts): parsing it in an inert <template> runs nothing.
 */

/** What a container shows: the HTML of each block and how many top-level nodes it made there. */
export interface ShownBlocks {
  html: string[];
  counts: number[];
}

export const noBlocksShown = (): ShownBlocks => ({ html: [], counts: [] });

const ELEMENT = 1;

function parse(doc: Document, html: string): Node[] {
  const t = doc.createElement('template');
  t.innerHTML = html;
  return Array.from(t.content.childNodes);
}

const sameKind = (a: Node, b: Node): boolean => a.nodeType === b.nodeType && (a.nodeType !== ELEMENT || a.nodeName === b.nodeName);

function morphAttributes(el: Element, to: Element): void {
  for (const a of Array.from(el.attributes)) if (!to.hasAttribute(a.name)) el.removeAttribute(a.name);
  for (const a of Array.from(to.attributes)) if (el.getAttribute(a.name) !== a.value) el.setAttribute(a.name, a.value);
}

function morphNode(node: Node, to: Node): void {
  // Not an element: text or a comment (sanitized HTML has nothing else), both CharacterData.
  if (node.nodeType !== ELEMENT) {
    const now = node.nodeValue ?? '';
    const next = to.nodeValue ?? '';
    if (now === next) return;
    if (next.startsWith(now)) (node as CharacterData).appendData(next.slice(now.length));
    else node.nodeValue = next;
    return;
  }
  morphAttributes(node as Element, to as Element);
  morphList(node, Array.from(node.childNodes), Array.from(to.childNodes), null);
}

/** Makes `nodes` (children of `parent`, in order, followed by `before`) into `fresh`, in place where they match. */
function morphList(parent: Node, nodes: Node[], fresh: Node[], before: Node | null): void {
  for (let i = 0; i < fresh.length; i++) {
    const node = nodes[i];
    if (node && sameKind(node, fresh[i])) morphNode(node, fresh[i]);
    else if (node) parent.replaceChild(fresh[i], node);
    else parent.insertBefore(fresh[i], before);
  }
  for (let i = fresh.length; i < nodes.length; i++) parent.removeChild(nodes[i]);
}

/**
 * Shows `blocks` in `root`, which shows `shown` now; updates `shown`. Block i's nodes are found by
 * counting: nothing else adds or removes `root`'s own children (markdown/actions.ts replaces nodes
 * inside them only).
 */
export function showBlocks(root: HTMLElement, blocks: readonly string[], shown: ShownBlocks): void {
  let offset = 0;
  for (let i = 0; i < blocks.length; i++) {
    const count = shown.counts[i] ?? 0;
    if (i < shown.html.length && shown.html[i] === blocks[i]) {
      offset += count;
      continue;
    }
    const all = root.childNodes;
    const nodes: Node[] = [];
    for (let k = offset; k < offset + count && k < all.length; k++) nodes.push(all[k]);
    const before = all[offset + count] ?? null;
    const fresh = parse(root.ownerDocument, blocks[i]);
    morphList(root, nodes, fresh, before);
    shown.html[i] = blocks[i];
    shown.counts[i] = fresh.length;
    offset += fresh.length;
  }
  // Blocks that are gone (the text was replaced by a shorter one).
  while (root.childNodes.length > offset) root.removeChild(root.lastChild!);
  shown.html.length = blocks.length;
  shown.counts.length = blocks.length;
}
