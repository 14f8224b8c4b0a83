/**
 * HTTP for model files: a small first request that learns size, ETag, Range support and the file's
 * first bytes, Range requests for chunks (validated against that first answer), and errors that say
 * whether trying again can help.
 *
 * Every request carries no header but `Range` (one range, a CORS-safelisted request header), so a
 * cross-origin host needs no preflight: many static servers and CDNs allow `Range` and nothing more
 * (`http-server --cors`). Instead of `If-Range`, every 206 answer is checked against the first one
 * (see validatePartial): a file replaced during the download is caught there. A host that does not
 * expose Content-Range and ETag to scripts still works: its chunks are held to the headers every CORS
 * answer exposes (status, Content-Length, Last-Modified), and its model is marked unverified.
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
  /**
   * The server answers Range requests but does not expose Content-Range (or ETag) to scripts: no
   * Access-Control-Expose-Headers, as `http-server --cors` sends none. Chunks are then checked by their
   * status, Content-Length and Last-Modified, which every CORS answer exposes, and the size came from a HEAD.
   */
  rangeHidden?: boolean;
  contentType: string;
  head: Uint8Array;
}

/** A failure worth retrying (dropped connection, short body, 5xx). */
export class RetryableError extends Error {
  override name = 'RetryableError';
}

/**
 * A host that accepted the connection and then went silent would hold a download forever: a request
 * that gets no byte for `STALL.ms` is stopped and counts as a dropped connection (retried, then a
 * `network` error saying so). Measured from the request's start and from each chunk of its body.
 */
export const STALL = { ms: 60_000 };

class StallGuard {
  readonly #ctrl = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  stalled = false;
  /** Set once the request is over (its timer is off; touch() no longer arms it). */
  #done = false;

  constructor(
    outer: AbortSignal,
    private readonly url: string,
  ) {
    if (outer.aborted) this.#ctrl.abort(outer.reason);
    else outer.addEventListener('abort', () => this.#ctrl.abort(outer.reason), { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.#ctrl.signal;
  }

  /** Bytes arrived (or a read starts): the silence starts over. */
  touch(): void {
    clearTimeout(this.#timer);
    if (this.#ctrl.signal.aborted || this.#done) return;
    this.#timer = setTimeout(() => {
      this.stalled = true;
      this.#ctrl.abort(new DOMException('The server stopped sending', 'TimeoutError'));
    }, STALL.ms);
  }

  /** Between reads (the caller stores what came): not the server's silence. */
  idle(): void {
    clearTimeout(this.#timer);
  }

  done(): void {
    this.#done = true;
    clearTimeout(this.#timer);
  }

  /** A stall, as the retryable error it is; anything else unchanged. */
  explain(e: unknown): unknown {
    if (!this.stalled) return e;
    return new RetryableError(`No data came from ${hostOf(this.url)} for ${Math.round(STALL.ms / 1000)} s: the server stopped sending.`);
  }
}

/** Runs one request under a stall guard (see STALL). */
async function guarded<T>(url: string, signal: AbortSignal, run: (g: StallGuard) => Promise<T>): Promise<T> {
  const g = new StallGuard(signal, url);
  try {
    return await run(g);
  } catch (e) {
    throw g.explain(e);
  } finally {
    g.done();
  }
}

function httpError(url: string, res: Response): Error {
  if (res.status === 404) return new AppError('http-404', `The model file was not found (HTTP 404): ${url}`);
  const msg = `The server answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''} for ${url}`;
  return res.status >= 500 || res.status === 429 ? new RetryableError(msg) : new AppError('http-error', msg);
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** What a model host must send for this app, named once for every CORS error. */
const CORS_NEEDS = 'Access-Control-Allow-Origin (this site or *) and Range in Access-Control-Allow-Headers';

function corsError(url: string, what: string): AppError {
  return new AppError(
    'cors',
    `The server ${hostOf(url)} does not let this page download the model: ${what}. ` +
      `Trying again will not help; the server must send ${CORS_NEEDS}. Or download the file and open it as a local file.`,
  );
}

/**
 * Is the server up at all? fetch() says only "Failed to fetch" both for a dead connection and for an
 * answer the browser refused (CORS). A CORS HEAD (a simple request: no preflight, no body) gets through
 * any server that allows simple cross-origin reads; a `no-cors` HEAD gets an opaque answer from any
 * reachable server (when the page's COEP lets it: under require-corp it needs the host's CORP header).
 */
async function reachable(url: string, signal?: AbortSignal | null): Promise<boolean> {
  const tryFetch = async (init: RequestInit): Promise<boolean> => {
    try {
      const res = await fetch(url, { ...init, cache: 'no-store', signal: signal ?? null });
      await res.body?.cancel().catch(() => {});
      return true;
    } catch {
      return false;
    }
  };
  return (await tryFetch({ method: 'HEAD' })) || (await tryFetch({ method: 'HEAD', mode: 'no-cors' }));
}

/** The Content-Length of a HEAD answer (a CORS-safelisted response header), or null. */
async function headSize(url: string, signal: AbortSignal): Promise<number | null> {
  try {
    const res = await fetch(url, { method: 'HEAD', cache: 'no-store', signal });
    const n = Number(res.headers.get('Content-Length') ?? NaN);
    return res.ok && Number.isFinite(n) && n > 0 ? n : null;
  } catch (e) {
    if (signal.aborted) throw e;
    return null;
  }
}

async function send(url: string, init: RequestInit): Promise<Response> {
  const attempt = (): Promise<Response> => fetch(url, { ...init, cache: 'no-store' });
  const unreachable = (e: unknown) =>
    new RetryableError(
      `Could not reach ${hostOf(url)} (${e instanceof Error ? e.message : String(e)}). ` +
        `If the server is up, it may not allow downloads from other sites: it must send ${CORS_NEEDS}.`,
    );
  try {
    return await attempt();
  } catch (e) {
    if (init.signal?.aborted) throw e;
    if (!(await reachable(url, init.signal))) throw unreachable(e);
    // The server is up. Once more at once: a passing hiccup gets through, a CORS refusal repeats.
    try {
      return await attempt();
    } catch (e2) {
      if (init.signal?.aborted) throw e2;
      if (!(await reachable(url, init.signal))) throw unreachable(e2);
      throw corsError(url, 'the server is up, but the browser refused its answer to this request (a CORS or preflight rule)');
    }
  }
}

/** Reads a body fully into one buffer, reporting bytes as they arrive. */
async function readBody(res: Response, expected: number | null, onBytes: (n: number) => void, g?: StallGuard): Promise<Uint8Array> {
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      g?.touch();
      parts.push(value);
      n += value.length;
      onBytes(value.length);
      if (expected !== null && n > expected) throw new RetryableError('The server sent more bytes than asked for.');
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof RetryableError || g?.stalled) throw e;
    throw new RetryableError(`The connection dropped (${e instanceof Error ? e.message : String(e)}).`);
  }
  return concat(parts, n);
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p.subarray(0, n - o), o);
    o += Math.min(p.length, n - o);
    if (o >= n) break;
  }
  return out;
}

export interface ContentRange {
  start: number;
  end: number;
  /** null when the server sends `*` (size unknown). */
  total: number | null;
}

export function parseContentRange(h: string | null): ContentRange | null {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(h ?? '');
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

/** What the first answer said about the file, to hold every later answer to. */
export interface Expectation {
  size: number;
  etag?: string;
  lastModified?: string;
  /** Content-Range is not exposed by this server (see Probe.rangeHidden). */
  rangeHidden?: boolean;
}

export type PartialCheck =
  | { ok: true }
  /** Another range than asked for (a short answer, say): worth asking again. */
  | { ok: false; retry: true; what: string }
  /** Another file: its size, ETag or Last-Modified differ from the first answer's. */
  | { ok: false; retry: false; what: string };

/**
 * Checks a 206 answer for bytes [start, end] against the first answer: the same range and total, and
 * the same ETag / Last-Modified when the first answer showed them.
 */
export function validatePartial(
  headers: { get(name: string): string | null },
  start: number,
  end: number,
  expect: Expectation,
): PartialCheck {
  const changed = (what: string): PartialCheck => ({ ok: false, retry: false, what });
  const raw = headers.get('Content-Range');
  const cr = parseContentRange(raw);
  if (!cr && expect.rangeHidden && raw === null) {
    // Hidden by the server's CORS rules: hold the answer to what scripts may read.
    const lm = headers.get('Last-Modified');
    if (expect.lastModified !== undefined && lm !== expect.lastModified) {
      return changed(`its Last-Modified changed from ${expect.lastModified} to ${lm ?? 'none'}`);
    }
    const length = headers.get('Content-Length');
    if (length !== null && Number(length) !== end - start + 1) {
      return { ok: false, retry: true, what: `${length} bytes for bytes ${start}-${end}` };
    }
    return { ok: true };
  }
  // The first answer's Content-Range was readable, so this one should be too.
  if (!cr) return changed(`an answer without a readable Content-Range (${raw ?? 'none'})`);
  if (cr.total !== null && cr.total !== expect.size) return changed(`the file is now ${cr.total} bytes, not ${expect.size}`);
  const etag = headers.get('ETag');
  if (expect.etag !== undefined && etag !== expect.etag) return changed(`its ETag changed from ${expect.etag} to ${etag ?? 'none'}`);
  const lm = headers.get('Last-Modified');
  if (expect.lastModified !== undefined && lm !== expect.lastModified) {
    return changed(`its Last-Modified changed from ${expect.lastModified} to ${lm ?? 'none'}`);
  }
  if (cr.start !== start || cr.end !== end) return { ok: false, retry: true, what: `bytes ${cr.start}-${cr.end} came back for bytes ${start}-${end}` };
  return { ok: true };
}

export function sourceChanged(url: string, what: string): AppError {
  return new AppError(
    'source-changed',
    `The file changed on the server during the download (${what}): ${url}. The parts already stored were dropped, ` +
      'so no mix of old and new bytes is kept; trying again downloads the current file from the start.',
  );
}

/**
 * The first answer: bytes [0, bytes) with a Range request, or the start of the whole file from a
 * server that ignores Range. `bytes` grows when a GGUF header is longer than the first look.
 */
export function probe(url: string, signal: AbortSignal, bytes = PROBE_BYTES): Promise<Probe> {
  return guarded(url, signal, (g) => probeOnce(url, g, signal, bytes));
}

async function probeOnce(url: string, g: StallGuard, outer: AbortSignal, bytes: number): Promise<Probe> {
  const res = await send(url, { signal: g.signal, headers: { Range: `bytes=0-${bytes - 1}` } });
  if (!res.ok || !res.body) throw httpError(url, res);
  const partial = res.status === 206;
  const common = {
    url,
    etag: res.headers.get('ETag') ?? undefined,
    lastModified: res.headers.get('Last-Modified') ?? undefined,
    contentType: res.headers.get('Content-Type') ?? '',
  };
  if (partial) {
    const cr = parseContentRange(res.headers.get('Content-Range'));
    const head = await readBody(res, bytes, () => {}, g);
    if (cr) return { ...common, size: cr.total, rangeSupported: true, head };
    // A 206 whose Content-Range scripts may not read (no Access-Control-Expose-Headers): the size comes
    // from a HEAD's Content-Length (always exposed); without one, the file is fetched whole.
    const size = await headSize(url, outer);
    return { ...common, size, rangeSupported: size !== null, rangeHidden: size !== null, head };
  }
  // A full answer: read just the start, then drop the rest.
  const length = Number(res.headers.get('Content-Length') ?? NaN);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < bytes) {
      const { done, value } = await reader.read();
      if (done) break;
      g.touch();
      parts.push(value);
      n += value.length;
    }
  } catch (e) {
    if (g.stalled) throw e;
    throw new RetryableError(`The connection dropped (${e instanceof Error ? e.message : String(e)}).`);
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { ...common, size: Number.isFinite(length) ? length : null, rangeSupported: false, head: concat(parts, Math.min(n, bytes)) };
}

/** Bytes [start, end] (inclusive) of a file whose size, ETag and Last-Modified were seen by probe(). */
export async function fetchRange(
  url: string,
  start: number,
  end: number,
  expect: Expectation,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<Uint8Array> {
  return guarded(url, signal, (g) => fetchRangeOnce(url, start, end, expect, g, onBytes));
}

async function fetchRangeOnce(url: string, start: number, end: number, expect: Expectation, g: StallGuard, onBytes: (n: number) => void): Promise<Uint8Array> {
  const res = await send(url, { signal: g.signal, headers: { Range: `bytes=${start}-${end}` } });
  if (res.status === 200) {
    // It answered Range before: now it sends a whole file, likely another one.
    await res.body?.cancel().catch(() => {});
    throw sourceChanged(url, 'the server stopped answering Range requests');
  }
  if (res.status !== 206 || !res.body) throw httpError(url, res);
  const check = validatePartial(res.headers, start, end, expect);
  if (!check.ok) {
    await res.body.cancel().catch(() => {});
    if (check.retry) throw new RetryableError(`The server answered ${check.what}.`);
    throw sourceChanged(url, check.what);
  }
  const body = await readBody(res, end - start + 1, onBytes, g);
  if (body.length !== end - start + 1) throw new RetryableError(`Got ${body.length} of ${end - start + 1} bytes.`);
  return body;
}

/** What fetchWhole gives: the body, read by read() calls, and cancel(). */
export interface WholeReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/**
 * The whole file, streamed (for servers without Range support), under the same stall guard as the
 * other requests: the request, and each read() while it waits for the server, fail as retryable after
 * STALL.ms without a byte. The time between reads (the caller writing and hashing a chunk) is not
 * the server's silence, so it does not count.
 */
export async function fetchWhole(url: string, signal: AbortSignal): Promise<WholeReader> {
  const g = new StallGuard(signal, url);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    const res = await send(url, { signal: g.signal });
    if (!res.ok || !res.body) throw httpError(url, res);
    reader = res.body.getReader();
  } catch (e) {
    g.done();
    throw g.explain(e);
  }
  g.idle();
  return {
    async read() {
      g.touch();
      try {
        const r = await reader.read();
        if (r.done) g.done();
        else g.idle();
        return r;
      } catch (e) {
        g.done();
        throw g.explain(e);
      }
    },
    async cancel() {
      g.done();
      await reader.cancel().catch(() => {});
    },
  };
}
