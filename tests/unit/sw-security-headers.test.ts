/**
 * One policy, three deliverers: vite preview's middleware (npm start, the e2e server), the service
 * worker on static hosts, and the meta tag in the built HTML must say the same thing.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { servedHeadersFor, servedHeadersMiddleware, withCspMeta } from '../../vite.config';
import { ISOLATION_HEADERS, isolate, withAppHeaders } from '../../web/src/sw/isolation';
import { contentSecurityPolicy, META_CONTENT_SECURITY_POLICY, policyForPath, securityHeadersFor } from '../../web/src/sw/security-headers';

const ORIGIN = 'https://app.example';
const PATHS = ['/', '/index.html', '/embed.html', '/embed', '/assets/engine.worker-abc.js', '/sw.js', '/models/demo.gguf', '/bench/bare.html', '/embed.js', '/embed.d.ts'];

/** Runs the vite preview middleware on a fake request and returns the headers it set (lower-case names). */
function middlewareHeaders(url: string): Record<string, string> {
  const set: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => void (set[name.toLowerCase()] = value) } as unknown as ServerResponse;
  let nextCalled = false;
  servedHeadersMiddleware({ url } as IncomingMessage, res, () => void (nextCalled = true));
  expect(nextCalled).toBe(true);
  return set;
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
const fromHeaders = (h: Headers) => Object.fromEntries([...h.entries()].filter(([k]) => k !== 'server-timing' && k !== 'content-type'));

describe('the policy', () => {
  it('allows scripts and workers only from self (plus blob: workers for wllama) and WebAssembly, no inline script or eval', () => {
    const csp = contentSecurityPolicy('app');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain("worker-src 'self' blob:;");
    expect(csp).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
  });

  it('loads images only from self, data: and blob: (no remote hosts), and keeps https model hosts reachable', () => {
    const csp = contentSecurityPolicy('app');
    expect(csp).toMatch(/img-src 'self' data: blob:;/);
    expect(csp).toMatch(/connect-src [^;]*https:/);
  });

  it('lets only the app itself frame the app, and any site frame the widget', () => {
    expect(contentSecurityPolicy('app')).toContain("frame-ancestors 'self'");
    expect(contentSecurityPolicy('embed')).not.toContain('frame-ancestors');
    expect(securityHeadersFor('/')['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(securityHeadersFor('/embed.html')['X-Frame-Options']).toBeUndefined();
    expect(policyForPath('/embed.html')).toBe('embed');
    expect(policyForPath('/embed.html.map')).toBe('app');
    expect(policyForPath('/assets/embed-abc.js')).toBe('app');
  });

  it('lets other sites load embed.js and its types (CORP cross-origin), and nothing else of the app', () => {
    expect(servedHeadersFor('/embed.js')['Cross-Origin-Resource-Policy']).toBe('cross-origin');
    expect(servedHeadersFor('/sub/embed.d.ts')['Cross-Origin-Resource-Policy']).toBe('cross-origin');
    for (const path of ['/', '/assets/embed-abc.js', '/embed.js.map', '/sw.js']) expect(servedHeadersFor(path)['Cross-Origin-Resource-Policy']).toBe('same-origin');
  });

  it('the meta tag carries every directive but the header-only frame-ancestors', () => {
    expect(META_CONTENT_SECURITY_POLICY).not.toContain('frame-ancestors');
    expect(contentSecurityPolicy('embed')).toBe(META_CONTENT_SECURITY_POLICY);
    expect(contentSecurityPolicy('app')).toBe(`${META_CONTENT_SECURITY_POLICY}; frame-ancestors 'self'`);
  });
});

describe('the deliverers agree', () => {
  it('vite preview sends isolation plus security headers for every path', () => {
    for (const path of PATHS) {
      expect(middlewareHeaders(`${path}?model=x`)).toEqual(lower({ ...ISOLATION_HEADERS, ...securityHeadersFor(path) }));
      expect(servedHeadersFor(path)).toEqual({ ...ISOLATION_HEADERS, ...securityHeadersFor(path) });
    }
  });

  it('the service worker gives a header-less static response exactly what vite preview sends', () => {
    for (const path of PATHS) {
      const out = isolate(new Request(`${ORIGIN}${path}?threads=2`), new Response('x', { headers: { 'Content-Type': 'text/html' } }), ORIGIN);
      expect(fromHeaders(out.headers)).toEqual(middlewareHeaders(path));
    }
  });

  it('the service worker keeps a response from npm start as it is (nothing missing)', () => {
    const served = new Response('x', { headers: servedHeadersFor('/embed.html') });
    expect(withAppHeaders(served, '/embed.html')).toBe(served);
  });

  it('the service worker keeps a policy the host sent and adds only what is missing', () => {
    const out = withAppHeaders(new Response('x', { headers: { ...ISOLATION_HEADERS, 'Content-Security-Policy': "default-src 'none'" } }), '/');
    expect(out.headers.get('Content-Security-Policy')).toBe("default-src 'none'");
    expect(out.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(out.headers.has('Server-Timing')).toBe(false); // isolation came from the host, not the worker
  });

  it('the build writes the same policy into each page, after <meta charset>', () => {
    const html = withCspMeta('<!doctype html><html><head>\n    <meta charset="UTF-8" />\n    <title>x</title></head></html>');
    expect(html).toMatch(/<meta charset="UTF-8" \/>\s*<meta http-equiv="Content-Security-Policy" content="([^"]*)" \/>\s*<title>/);
    expect(/content="([^"]*)"/.exec(html)?.[1]).toBe(META_CONTENT_SECURITY_POLICY);
    expect(() => withCspMeta('<html><head></head></html>')).toThrow(/meta charset/);
  });
});
