/**
 * The widget's content height, for starling:resize. The widget fills its frame (100dvh), so the
 * document's own height is always the frame's: what the host needs is the height the content would
 * take: each part of the widget's column (the children of `[data-embed-root]`) at its natural
 * height, the message list at the height of all its messages (its scrollHeight).
 */
export function contentHeight(doc: Document): number {
  const root = doc.querySelector<HTMLElement>('[data-embed-root]');
  if (!root) return Math.ceil(doc.documentElement.scrollHeight);
  let sum = 0;
  for (const el of root.children) {
    if (!(el instanceof HTMLElement)) continue;
    const style = getComputedStyle(el);
    sum += Math.max(el.scrollHeight, el.offsetHeight) + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
  }
  return Math.ceil(sum);
}

/** Calls `report` with the content height now and whenever it changes (at most once a frame). */
export function watchContentHeight(doc: Document, report: (height: number) => void): () => void {
  let last = -1;
  let scheduled = false;
  const measure = () => {
    scheduled = false;
    const h = contentHeight(doc);
    if (h !== last) {
      last = h;
      report(h);
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(measure);
  };
  // Size changes (the frame, fonts) and content changes (a streaming reply grows the list).
  const resize = new ResizeObserver(schedule);
  resize.observe(doc.documentElement);
  const mutations = new MutationObserver(schedule);
  mutations.observe(doc.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class', 'style', 'open'] });
  schedule();
  return () => {
    resize.disconnect();
    mutations.disconnect();
  };
}
