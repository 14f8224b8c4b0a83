import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchRange, parseContentRange, RetryableError, validatePartial } from '../../workers/lib/download/http';

const h = (o: Record<string, string>) => new Headers(o);
const first = { size: 1000, etag: '"a"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' };

describe('validatePartial: every 206 answer is held to the first answer', () => {
  it('accepts the same range, total, ETag and Last-Modified', () => {
    const ok = h({ 'Content-Range': 'bytes 100-199/1000', ETag: '"a"', 'Last-Modified': first.lastModified });
    expect(validatePartial(ok, 100, 199, first)).toEqual({ ok: true });
    expect(validatePartial(h({ 'Content-Range': 'bytes 100-199/*', ETag: '"a"', 'Last-Modified': first.lastModified }), 100, 199, first)).toEqual({ ok: true });
  });
  it('calls another ETag, Last-Modified or total a changed file (not worth retrying)', () => {
    const base = { 'Content-Range': 'bytes 100-199/1000', ETag: '"a"', 'Last-Modified': first.lastModified };
    expect(validatePartial(h({ ...base, ETag: '"b"' }), 100, 199, first)).toMatchObject({ ok: false, retry: false, what: expect.stringContaining('ETag') });
    expect(validatePartial(h({ ...base, 'Last-Modified': 'Wed, 02 Dec 2026 10:00:00 GMT' }), 100, 199, first)).toMatchObject({ ok: false, retry: false });
    expect(validatePartial(h({ ...base, 'Content-Range': 'bytes 100-199/1001' }), 100, 199, first)).toMatchObject({ ok: false, retry: false });
    // An ETag that disappears is a change too, when the first answer had one.
    expect(validatePartial(h({ 'Content-Range': 'bytes 100-199/1000', 'Last-Modified': first.lastModified }), 100, 199, first)).toMatchObject({ ok: false, retry: false });
    expect(validatePartial(h({ ETag: '"a"' }), 100, 199, first)).toMatchObject({ ok: false, retry: false });
  });
  it('retries another range of the same file (a short answer)', () => {
    const short = h({ 'Content-Range': 'bytes 100-149/1000', ETag: '"a"', 'Last-Modified': first.lastModified });
    expect(validatePartial(short, 100, 199, first)).toMatchObject({ ok: false, retry: true });
  });
  it('compares only what the first answer exposed', () => {
    expect(validatePartial(h({ 'Content-Range': 'bytes 0-9/1000', ETag: '"z"' }), 0, 9, { size: 1000 })).toEqual({ ok: true });
  });
  it('a host that hides Content-Range (no Expose-Headers) is held to Content-Length and Last-Modified', () => {
    const hidden = { size: 1000, lastModified: first.lastModified, rangeHidden: true };
    expect(validatePartial(h({ 'Content-Length': '100', 'Last-Modified': first.lastModified }), 100, 199, hidden)).toEqual({ ok: true });
    expect(validatePartial(h({ 'Content-Length': '50', 'Last-Modified': first.lastModified }), 100, 199, hidden)).toMatchObject({ ok: false, retry: true });
    expect(validatePartial(h({ 'Content-Length': '100', 'Last-Modified': 'Wed, 02 Dec 2026 10:00:00 GMT' }), 100, 199, hidden)).toMatchObject({
      ok: false,
      retry: false,
    });
    // A host that exposed Content-Range in its first answer must keep doing so.
    expect(validatePartial(h({ 'Content-Length': '100' }), 100, 199, first)).toMatchObject({ ok: false, retry: false });
  });
  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 0-65535/4368439040')).toEqual({ start: 0, end: 65535, total: 4368439040 });
    expect(parseContentRange('bytes 5-9/*')).toEqual({ start: 5, end: 9, total: null });
    expect(parseContentRange('bytes */100')).toBeNull();
    expect(parseContentRange(null)).toBeNull();
  });
});

describe('fetchRange sends nothing but Range and validates the answer', () => {
  const calls: RequestInit[] = [];
  const answer = (status: number, headers: Record<string, string>, body = new Uint8Array(100)) => {
    calls.length = 0;
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      calls.push(init);
      return new Response(status === 204 ? null : body, { status, headers });
    });
  };
  afterEach(() => vi.unstubAllGlobals());
  const get = () => fetchRange('http://127.0.0.1:9/m.gguf', 100, 199, first, new AbortController().signal, () => {});
  const good = { 'Content-Range': 'bytes 100-199/1000', ETag: '"a"', 'Last-Modified': first.lastModified };

  it('asks with a single Range header (CORS-safelisted: no preflight), never If-Range', async () => {
    answer(206, good);
    expect((await get()).length).toBe(100);
    expect(new Headers(calls[0].headers).get('Range')).toBe('bytes=100-199');
    expect([...new Headers(calls[0].headers).keys()]).toEqual(['range']);
  });
  it('turns a changed ETag or a 200 mid-download into source-changed', async () => {
    answer(206, { ...good, ETag: '"b"' });
    await expect(get()).rejects.toMatchObject({ kind: 'source-changed' });
    answer(200, {}, new Uint8Array(1000));
    await expect(get()).rejects.toMatchObject({ kind: 'source-changed' });
  });
  it('retries a short body', async () => {
    answer(206, good, new Uint8Array(60));
    await expect(get()).rejects.toBeInstanceOf(RetryableError);
  });
});
