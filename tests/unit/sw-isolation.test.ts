import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, isolate, SERVER_TIMING_MARK, shouldHandle, withIsolationHeaders } from '../../web/src/sw/isolation';

const ORIGIN = 'https://app.example';
const get = (url: string, init: RequestInit = {}) => new Request(url, init);
const COOP = 'Cross-Origin-Opener-Policy';
const COEP = 'Cross-Origin-Embedder-Policy';
const CORP = 'Cross-Origin-Resource-Policy';

describe('shouldHandle: which requests the service worker answers', () => {
  it('handles same-origin GETs (documents, scripts, assets)', () => {
    expect(shouldHandle(get(`${ORIGIN}/`), ORIGIN)).toBe(true);
    expect(shouldHandle(get(`${ORIGIN}/assets/engine.worker-abc.js`), ORIGIN)).toBe(true);
    expect(shouldHandle({ url: `${ORIGIN}/embed.html`, method: 'GET', mode: 'navigate' }, ORIGIN)).toBe(true);
  });

  it('lets cross-origin requests go by, so model downloads from other hosts are never intercepted', () => {
    expect(shouldHandle(get('https://huggingface.co/x/resolve/main/model.gguf'), ORIGIN)).toBe(false);
    expect(shouldHandle(get('http://app.example/'), ORIGIN)).toBe(false); // other scheme = other origin
    expect(shouldHandle(get('https://app.example:8443/'), ORIGIN)).toBe(false); // other port
  });

  it('lets non-GET requests go by', () => {
    for (const method of ['POST', 'PUT', 'HEAD', 'DELETE']) expect(shouldHandle(get(`${ORIGIN}/api`, { method }), ORIGIN)).toBe(false);
  });

  it('lets Range requests (the model downloader, media) go by', () => {
    expect(shouldHandle(get(`${ORIGIN}/models/demo.gguf`, { headers: { Range: 'bytes=0-65535' } }), ORIGIN)).toBe(false);
  });

  it('lets only-if-cached go by unless its mode is same-origin (fetch() would reject it)', () => {
    expect(shouldHandle({ url: `${ORIGIN}/`, method: 'GET', cache: 'only-if-cached', mode: 'no-cors' }, ORIGIN)).toBe(false);
    expect(shouldHandle({ url: `${ORIGIN}/`, method: 'GET', cache: 'only-if-cached', mode: 'same-origin' }, ORIGIN)).toBe(true);
  });

  it('lets a ?sw=0 page navigation go by, but not other ?sw values or subresources', () => {
    expect(shouldHandle({ url: `${ORIGIN}/?sw=0&threads=2`, method: 'GET', mode: 'navigate' }, ORIGIN)).toBe(false);
    expect(shouldHandle({ url: `${ORIGIN}/?sw=1`, method: 'GET', mode: 'navigate' }, ORIGIN)).toBe(true);
    expect(shouldHandle({ url: `${ORIGIN}/data.json?sw=0`, method: 'GET', mode: 'cors' }, ORIGIN)).toBe(true);
  });

  it('lets unparsable URLs go by', () => {
    expect(shouldHandle({ url: 'not a url', method: 'GET' }, ORIGIN)).toBe(false);
  });
});

describe('withIsolationHeaders', () => {
  it('adds COOP same-origin, COEP require-corp and CORP same-origin when missing, keeping the rest', async () => {
    const original = new Response('<!doctype html>hi', { status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/html', ETag: '"1"' } });
    const out = withIsolationHeaders(original);
    expect(out).not.toBe(original);
    expect(out.headers.get(COOP)).toBe('same-origin');
    expect(out.headers.get(COEP)).toBe('require-corp');
    expect(out.headers.get(CORP)).toBe('same-origin');
    expect(out.headers.get('Content-Type')).toBe('text/html');
    expect(out.headers.get('ETag')).toBe('"1"');
    expect(out.headers.get('Server-Timing')).toBe(SERVER_TIMING_MARK);
    expect(out.status).toBe(200);
    expect(out.statusText).toBe('OK');
    expect(await out.text()).toBe('<!doctype html>hi');
  });

  it('keeps headers the server already sent, and adds only the missing ones', () => {
    const out = withIsolationHeaders(new Response('x', { headers: { [COEP]: 'credentialless' } }));
    expect(out.headers.get(COEP)).toBe('credentialless');
    expect(out.headers.get(COOP)).toBe('same-origin');
    expect(out.headers.get(CORP)).toBe('same-origin');
  });

  it('returns the response itself when all three are present (npm start)', () => {
    const original = new Response('x', { headers: ISOLATION_HEADERS });
    expect(withIsolationHeaders(original)).toBe(original);
    expect(original.headers.has('Server-Timing')).toBe(false);
  });

  it('keeps error statuses and null bodies', async () => {
    const notFound = withIsolationHeaders(new Response('Not Found', { status: 404, statusText: 'Not Found' }));
    expect(notFound.status).toBe(404);
    expect(notFound.statusText).toBe('Not Found');
    expect(notFound.headers.get(COEP)).toBe('require-corp');
    const notModified = withIsolationHeaders(new Response(null, { status: 304 }));
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();
  });

  it('leaves opaque and network-error responses (status 0) untouched', () => {
    const error = Response.error();
    expect(error.status).toBe(0);
    expect(withIsolationHeaders(error)).toBe(error);
    const opaque = { status: 0, type: 'opaque', headers: new Headers(), redirected: false } as unknown as Response;
    expect(withIsolationHeaders(opaque)).toBe(opaque);
    const opaqueRedirect = { status: 0, type: 'opaqueredirect', headers: new Headers(), redirected: false } as unknown as Response;
    expect(withIsolationHeaders(opaqueRedirect)).toBe(opaqueRedirect);
  });

  it('leaves redirected responses untouched (a copy would lose their final URL)', () => {
    const redirected = { status: 200, type: 'basic', headers: new Headers(), redirected: true } as unknown as Response;
    expect(withIsolationHeaders(redirected)).toBe(redirected);
  });
});

describe('isolate: request and response together', () => {
  it('adds the headers for a same-origin GET', () => {
    expect(isolate(get(`${ORIGIN}/index.html`), new Response('x'), ORIGIN).headers.get(COOP)).toBe('same-origin');
  });

  it('leaves a cross-origin response untouched', () => {
    const r = new Response('gguf');
    expect(isolate(get('https://cdn.example/model.gguf'), r, ORIGIN)).toBe(r);
    expect(r.headers.has(COEP)).toBe(false);
  });

  it('leaves a non-GET response untouched', () => {
    const r = new Response('ok');
    expect(isolate(get(`${ORIGIN}/x`, { method: 'POST', body: 'a' }), r, ORIGIN)).toBe(r);
  });
});
