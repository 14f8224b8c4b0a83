/**
 * The message tree's walks: the branch on screen (root → leaf), a message's alternatives (its
 * siblings: edits of a user message, regenerations of a reply), and where a branch ends.
 */
interface Node {
  id: string;
  parentId: string | null;
  createdAt: number;
}

/** The messages from the root to `leafId`, in order (empty when the leaf is unknown). */
export function pathTo<T extends Node>(nodes: readonly T[], leafId: string | null): T[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const path: T[] = [];
  // The bound guards against a cycle in a damaged record.
  for (let n = leafId ? byId.get(leafId) : undefined; n && path.length <= nodes.length; n = n.parentId ? byId.get(n.parentId) : undefined) path.push(n);
  return path.reverse();
}

/** The children of `parentId` (null: the first messages), oldest first. */
export const childrenOf = <T extends Node>(nodes: readonly T[], parentId: string | null): T[] =>
  nodes.filter((n) => n.parentId === parentId).sort((a, b) => a.createdAt - b.createdAt);

/** A message and its alternatives, oldest first, and where it stands among them. */
export function alternatives<T extends Node>(nodes: readonly T[], id: string): { list: T[]; index: number } {
  const self = nodes.find((n) => n.id === id);
  const list = self ? childrenOf(nodes, self.parentId) : [];
  return { list, index: list.findIndex((n) => n.id === id) };
}

/** The end of the branch under `id`, following the newest child at each step (as the llama.cpp web UI does). */
export function latestLeaf<T extends Node>(nodes: readonly T[], id: string): string {
  let leaf = id;
  for (let i = 0; i < nodes.length; i++) {
    const kids = childrenOf(nodes, leaf);
    if (kids.length === 0) break;
    leaf = kids[kids.length - 1].id;
  }
  return leaf;
}

/** `id` and everything under it. */
export function subtree<T extends Node>(nodes: readonly T[], id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of nodes) {
      if (n.parentId && out.has(n.parentId) && !out.has(n.id)) {
        out.add(n.id);
        grew = true;
      }
    }
  }
  return out;
}
