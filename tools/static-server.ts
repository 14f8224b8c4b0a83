/**
 * A plain static file server, like GitHub Pages: files, MIME types, 404s, HEAD, single Range requests
 * with ETag / If-Range, and NO cross-origin isolation headers (COOP/COEP/CORP) nor security headers
 * (CSP, nosniff, ...): a plain static host cannot send them, which is what the app's service worker
 * makes up for (web/src/sw/isolation.ts and security-headers.ts, the policy vite preview sends too).
 * It lets the worker be tested the way a static host serves the app (`npx tsx tools/serve.ts
 * --static`, and tests/e2e/isolation.spec.ts). Vite's preview server cannot do this: it always adds
 * the configured headers.
 *
 * `base` serves the folder under a sub-path, as GitHub Pages serves a project at `/<repo>/`: a path
 * outside it is a 404, and the bare `/<repo>` is redirected to `/<repo>/` as Pages does.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gguf': 'application/octet-stream',
};

export interface StaticServerOptions {
  /** The directory to serve (e.g. dist/). */
  root: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The sub-path the folder is served under, e.g. `/sub/dir/` (default `/`). */
  base?: string;
}

export interface StaticServer {
  /** Origin, without a trailing slash: http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** The file a URL path names inside `root`, or null when it would leave `root` or is malformed. */
export function resolveInRoot(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const base = resolve(root);
  const file = resolve(join(base, path));
  return file === base || file.startsWith(base + sep) ? file : null;
}

/** [start, end] (inclusive) of a single `bytes=` range, 'unsatisfiable', or null to send the whole file. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // absent, multi-range or malformed: whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start >= size || start > end ? 'unsatisfiable' : [start, end];
}

/** `base` as `/a/b/`: one leading and one trailing slash; throws on anything that is not a plain path. */
export function normalizeBase(base: string): string {
  const parts = base.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..' || !/^[\w.~-]+$/.test(p))) throw new Error(`static-server: not a plain sub-path: ${base}`);
  return parts.length === 0 ? '/' : `/${parts.join('/')}/`;
}

/** The path inside the served folder for a request path under `base`, 'redirect' for the bare base, or null (404). */
export function pathUnderBase(base: string, urlPath: string): string | 'redirect' | null {
  if (base === '/') return urlPath;
  if (urlPath === base.slice(0, -1)) return 'redirect';
  return urlPath.startsWith(base) ? urlPath.slice(base.length - 1) : null;
}

const etagOf = (s: Stats): string => `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`;

async function findFile(root: string, urlPath: string): Promise<{ file: string; stats: Stats } | null> {
  const file = resolveInRoot(root, urlPath);
  if (!file) return null;
  try {
    let stats = await stat(file);
    if (stats.isDirectory()) {
      const index = join(file, 'index.html');
      stats = await stat(index);
      return stats.isFile() ? { file: index, stats } : null;
    }
    return stats.isFile() ? { file, stats } : null;
  } catch {
    return null;
  }
}

async function handle(root: string, base: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = pathUnderBase(base, url.pathname);
  if (path === 'redirect') {
    res.writeHead(301, { Location: `${base}${url.search}` }).end();
    return;
  }
  const found = path === null ? null : await findFile(root, path);
  if (!found) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : 'Not Found\n');
    return;
  }
  const { file, stats } = found;
  const etag = etagOf(stats);
  const headers: Record<string, string | number> = {
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
    'Cache-Control': 'no-cache',
  };
  if (req.headers['if-none-match'] === etag && !req.headers.range) {
    res.writeHead(304, headers).end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, stats.size) : null;
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${stats.size}` }).end();
    return;
  }
  const [start, end] = range ?? [0, stats.size - 1];
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${stats.size}`;
  headers['Content-Length'] = stats.size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || stats.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export async function startStaticServer({ root, port = 0, host = '127.0.0.1', base = '/' }: StaticServerOptions): Promise<StaticServer> {
  const prefix = normalizeBase(base);
  const server = createServer((req, res) => {
    handle(root, prefix, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
