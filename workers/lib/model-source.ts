/**
 * Turns what a user or URL parameter names as a model into the list of file URLs to fetch:
 * `hf:<owner>/<repo>/<file>` becomes the Hugging Face download URL, and the first shard of a
 * gguf-split set (`name-00001-of-00003.gguf`) expands to every shard.
 */
import { AppError } from './errors';

const SHARD_RE = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

export interface ModelSource {
  /** Cache id: the absolute URL of the first file. */
  id: string;
  urls: string[];
  /** File names in shard order, as the engine will see them. */
  names: string[];
}

export function resolveHf(spec: string): string {
  const path = spec.slice('hf:'.length).replace(/^\/+/, '');
  const parts = path.split('/');
  if (parts.length < 3 || parts.some((p) => p.length === 0)) {
    throw new AppError('bad-url', `"${spec}" is not of the form hf:<owner>/<repo>/<file>.`);
  }
  const [owner, repo, ...file] = parts;
  return `https://huggingface.co/${owner}/${repo}/resolve/main/${file.map(encodeURIComponent).join('/')}`;
}

export function resolveModelSource(spec: string, base: string): ModelSource {
  const raw = spec.trim();
  let url: URL;
  try {
    url = new URL(raw.startsWith('hf:') ? resolveHf(raw) : raw, base);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('bad-url', `"${raw}" is not a valid model URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('bad-url', `Models can only be downloaded over http(s), not ${url.protocol}.`);
  }
  const file = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const m = SHARD_RE.exec(file);
  if (!m) return { id: url.href, urls: [url.href], names: [file || 'model.gguf'] };
  const count = Number(m[3]);
  if (Number(m[2]) !== 1) {
    throw new AppError('bad-url', `Give the first shard of a split model (…-00001-of-${m[3]}.gguf), not shard ${m[2]}.`);
  }
  const names = Array.from({ length: count }, (_, i) => `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`);
  const urls = names.map((n) => new URL(encodeURIComponent(n) + url.search, url).href);
  return { id: url.href, urls, names };
}
