/**
 * Turns what a user or URL parameter names as a model into the list of file URLs to fetch:
 * `hf:<owner>/<repo>/<file>` becomes the Hugging Face download URL, and the first shard of a
 * gguf-split set (`name-00001-of-00003.gguf`) expands to every shard.
 */
import { AppError } from './errors';

/** A gguf-split shard's file name, as llama-gguf-split writes it: `<prefix>-00002-of-00003.gguf`. */
const SHARD_RE = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

const pad5 = (n: number): string => String(n).padStart(5, '0');

/** The file name of shard `no` (1-based) of `count`. */
export const shardName = (prefix: string, no: number, count: number): string => `${prefix}-${pad5(no)}-of-${pad5(count)}.gguf`;

/** A shard name's parts, or null when the name is not a shard's. */
export function parseShardName(name: string): { prefix: string; no: number; count: number } | null {
  const m = SHARD_RE.exec(name);
  return m ? { prefix: m[1], no: Number(m[2]), count: Number(m[3]) } : null;
}

export interface ModelSource {
  /** Cache id: the absolute URL of the first file (without any #sha256 fragment). */
  id: string;
  urls: string[];
  /** File names in shard order, as the engine will see them. */
  names: string[];
  /** Expected SHA-256 (hex) per file, when the source publishes it. */
  sha256?: (string | null)[];
  /** For files on Hugging Face: where to ask for their published SHA-256. */
  hf?: { owner: string; repo: string; revision: string; paths: string[] };
}

const HF_RESOLVE = /^https:\/\/huggingface\.co\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/;

/** Owner, repo, revision and file path of a huggingface.co download URL. */
function parseHfUrl(url: string): { owner: string; repo: string; revision: string; path: string } | null {
  const m = HF_RESOLVE.exec(url.split(/[?#]/)[0]);
  return m ? { owner: m[1], repo: m[2], revision: decodeURIComponent(m[3]), path: m[4].split('/').map(decodeURIComponent).join('/') } : null;
}

function withHf(source: ModelSource): ModelSource {
  const parts = source.urls.map(parseHfUrl);
  if (parts.some((p) => p === null)) return source;
  const [first] = parts as NonNullable<ReturnType<typeof parseHfUrl>>[];
  return { ...source, hf: { owner: first.owner, repo: first.repo, revision: first.revision, paths: parts.map((p) => p!.path) } };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * `#sha256=<hex>[,<hex>…]` on a model URL pins the file hashes (one per shard), like Subresource
 * Integrity; the fragment is never sent to the server.
 */
function parseSha256Fragment(hash: string, files: number): (string | null)[] | undefined {
  const m = /(?:^#|&)sha256=([^&]*)/i.exec(hash);
  if (!m) return undefined;
  const list = decodeURIComponent(m[1]).toLowerCase().split(',').map((s) => s.trim());
  if (list.length !== files || list.some((h) => !HEX64.test(h))) {
    throw new AppError('bad-url', `#sha256= must list ${files} SHA-256 hex digest${files === 1 ? '' : 's'} (64 hex digits each).`);
  }
  return list;
}

// Hugging Face owner and repo names: letters, digits, '.', '_' and '-', not starting with a dot, at most 96.
const HF_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

function resolveHf(spec: string): string {
  const path = spec.slice('hf:'.length).replace(/^\/+/, '');
  const parts = path.split('/');
  const form = `"${spec.slice(0, 200)}" is not of the form hf:<owner>/<repo>/<file>`;
  if (parts.length < 3 || parts.some((p) => p.length === 0)) throw new AppError('bad-url', `${form}.`);
  const [owner, repo, ...file] = parts;
  if (!HF_NAME.test(owner) || !HF_NAME.test(repo) || owner.includes('..') || repo.includes('..')) {
    throw new AppError('bad-url', `${form}: "${owner.slice(0, 100)}/${repo.slice(0, 100)}" is not a Hugging Face owner/repo name.`);
  }
  // "." and ".." would walk out of the repository once the URL is normalised; "\\" is a "/" to URL parsers.
  if (file.some((p) => p === '.' || p === '..' || p.includes('\\') || [...p].some((c) => c.charCodeAt(0) < 0x20))) {
    throw new AppError('bad-url', `${form}: the file path may not contain ".", ".." or control characters.`);
  }
  return `https://huggingface.co/${owner}/${repo}/resolve/main/${file.map(encodeURIComponent).join('/')}`;
}

/** Longer than any real model URL (browsers and servers commonly stop at 8 KB). */
const MAX_MODEL_URL_CHARS = 8192;

export function resolveModelSource(spec: string, base: string): ModelSource {
  const raw = spec.trim();
  if (raw.length > MAX_MODEL_URL_CHARS) {
    throw new AppError(
      'bad-url',
      `That model URL is ${raw.length.toLocaleString('en')} characters long; a model URL has at most ${MAX_MODEL_URL_CHARS.toLocaleString('en')}. Check what was pasted.`,
    );
  }
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
  const fragment = url.hash;
  url.hash = '';
  const file = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const shard = parseShardName(file);
  if (!shard) {
    const sha256 = parseSha256Fragment(fragment, 1);
    return withHf({ id: url.href, urls: [url.href], names: [file || 'model.gguf'], ...(sha256 ? { sha256 } : {}) });
  }
  const { prefix, no, count } = shard;
  if (no !== 1) {
    throw new AppError('bad-url', `Give the first shard of a split model (…-00001-of-${pad5(count)}.gguf), not shard ${pad5(no)}.`);
  }
  const names = Array.from({ length: count }, (_, i) => shardName(prefix, i + 1, count));
  const urls = names.map((n) => new URL(encodeURIComponent(n) + url.search, url).href);
  const sha256 = parseSha256Fragment(fragment, count);
  return withHf({ id: url.href, urls, names, ...(sha256 ? { sha256 } : {}) });
}
