/**
 * Hugging Face publishes the SHA-256 of every LFS file (the `lfs.oid` of its tree API). Asked once
 * before a download from the Hub; if the API cannot be reached the download is checked by size and
 * ETag instead.
 */
import type { ModelSource } from '../model-source';

interface TreeEntry {
  type?: string;
  path?: string;
  lfs?: { oid?: string; size?: number };
}

function shaFromTree(entries: unknown, path: string): string | null {
  if (!Array.isArray(entries)) return null;
  const hit = (entries as TreeEntry[]).find((e) => e?.path === path);
  const oid = hit?.lfs?.oid;
  return typeof oid === 'string' && /^[0-9a-f]{64}$/.test(oid) ? oid : null;
}

const treeUrl = (hf: NonNullable<ModelSource['hf']>, dir: string): string =>
  `https://huggingface.co/api/models/${hf.owner}/${hf.repo}/tree/${encodeURIComponent(hf.revision)}${dir ? '/' + dir.split('/').map(encodeURIComponent).join('/') : ''}`;

export async function lookupHfSha256(source: ModelSource, signal: AbortSignal): Promise<(string | null)[] | undefined> {
  const hf = source.hf;
  if (!hf) return undefined;
  const timeout = AbortSignal.timeout(8000);
  const any = AbortSignal.any([signal, timeout]);
  try {
    const byDir = new Map<string, unknown>();
    const out: (string | null)[] = [];
    for (const path of hf.paths) {
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      if (!byDir.has(dir)) {
        const res = await fetch(treeUrl(hf, dir), { signal: any });
        byDir.set(dir, res.ok ? await res.json() : null);
      }
      out.push(shaFromTree(byDir.get(dir), path));
    }
    return out.some((h) => h !== null) ? out : undefined;
  } catch {
    if (signal.aborted) throw signal.reason;
    return undefined; // offline or blocked: size + ETag will have to do
  }
}
