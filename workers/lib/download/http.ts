/**
 * HTTP for model files: a small first request that learns size, ETag, Range support and the file's
 * first bytes, Range requests for chunks (validated against that first answer), and errors that say
 * whether trying again can help.
 */
import { AppError } from '../errors';

export const PROBE_BYTES = 64 * 1024;

export interface Probe {
  url: string;
  /** Total size, when the server says (Content-Range total or Content-Length of a full answer). */
  size: number | null;
  etag?: string;
  lastModified?: string;
  rangeSupported: boolean;
  contentType: string;
  head: Uint8Array;
}

/** A failure worth retrying (dropped connection, short body, 5xx). */
export class RetryableError extends Error {
  override name = 'RetryableError';
}

function httpError(url: string, res: Response): Error {
  if (res.status === 404) return new AppError('http-404', `The model file was not found (HTTP 404): ${url}`);
  const msg = `The server answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''} for ${url}`;
  return res.status >= 500 || res.status === 429 ? new RetryableError(msg) : new AppError('http-error', msg);
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, cache: 'no-store' });
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw new RetryableError(`Could not reach ${url} (${e instanceof Error ? e.message : String(e)}).`);
  }
}

/** Reads a body fully into one buffer, reporting bytes as they arrive. */
async function readBody(res: Response, expected: number | null, onBytes: (n: number) => void): Promise<Uint8Array> {
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      n += value.length;
      onBytes(value.length);
      if (expected !== null && n > expected) throw new RetryableError('The server sent more bytes than asked for.');
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof RetryableError) throw e;
    throw new RetryableError(`The connection dropped (${e instanceof Error ? e.message : String(e)}).`);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const totalFromContentRange = (h: string | null): number | null => {
  const m = h?.match(/\/\s*(\d+)\s*$/);
  return m ? Number(m[1]) : null;
};

export async function probe(url: string, signal: AbortSignal): Promise<Probe> {
  const res = await send(url, { signal, headers: { Range: `bytes=0-${PROBE_BYTES - 1}` } });
  if (!res.ok || !res.body) throw httpError(url, res);
  const partial = res.status === 206;
  const common = {
    url,
    etag: res.headers.get('ETag') ?? undefined,
    lastModified: res.headers.get('Last-Modified') ?? undefined,
    contentType: res.headers.get('Content-Type') ?? '',
  };
  if (partial) {
    const head = await readBody(res, PROBE_BYTES, () => {});
    return { ...common, size: totalFromContentRange(res.headers.get('Content-Range')), rangeSupported: true, head };
  }
  // A full answer: read just the start, then drop the rest.
  const length = Number(res.headers.get('Content-Length') ?? NaN);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < PROBE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      n += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const head = new Uint8Array(Math.min(n, PROBE_BYTES));
  let o = 0;
  for (const p of parts) {
    head.set(p.subarray(0, head.length - o), o);
    o += Math.min(p.length, head.length - o);
  }
  return { ...common, size: Number.isFinite(length) ? length : null, rangeSupported: false, head };
}

/** Bytes [start, end] (inclusive) of a file whose ETag and size were seen by probe(). */
export async function fetchRange(
  url: string,
  start: number,
  end: number,
  expect: { size: number; etag?: string },
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<Uint8Array> {
  const headers: Record<string, string> = { Range: `bytes=${start}-${end}` };
  if (expect.etag && !expect.etag.startsWith('W/')) headers['If-Range'] = expect.etag;
  const res = await send(url, { signal, headers });
  if (res.status === 200) {
    await res.body?.cancel().catch(() => {});
    throw new AppError('source-changed', `The file changed on the server during the download: ${url}. Start the download again.`);
  }
  if (res.status !== 206 || !res.body) throw httpError(url, res);
  const cr = res.headers.get('Content-Range') ?? '';
  const m = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/.exec(cr);
  if (!m || Number(m[1]) !== start || Number(m[2]) !== end || (m[3] !== '*' && Number(m[3]) !== expect.size)) {
    await res.body.cancel().catch(() => {});
    throw new AppError('source-changed', `The server answered a different byte range (${cr || 'none'}) for ${url}.`);
  }
  const body = await readBody(res, end - start + 1, onBytes);
  if (body.length !== end - start + 1) throw new RetryableError(`Got ${body.length} of ${end - start + 1} bytes.`);
  return body;
}

/** The whole file, streamed (for servers without Range support). */
export async function fetchWhole(url: string, signal: AbortSignal): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const res = await send(url, { signal });
  if (!res.ok || !res.body) throw httpError(url, res);
  return res.body.getReader();
}
