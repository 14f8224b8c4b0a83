import { describe, expect, it } from 'vitest';
import { frameAncestorSources, hostAllowed, modelAllowed, NO_CONFIG, parseEmbedConfig } from '../../web/src/lib/embed/embed-config';
import { parseEmbedParams, parseOrigin } from '../../web/src/lib/embed/embed-params';

const BASE = 'https://widget.example/app/embed.html';

describe('embed-config.json', () => {
  it('lists hosts and model hosts as origins', () => {
    const r = parseEmbedConfig('{"hosts": ["https://shop.example", "http://127.0.0.1:8080"], "modelHosts": ["https://huggingface.co"]}');
    if (!r.ok) throw new Error(r.reason);
    expect(hostAllowed(r.config, 'https://shop.example')).toBe(true);
    expect(hostAllowed(r.config, 'https://evil.example')).toBe(false);
    expect(frameAncestorSources(r.config)).toEqual(["'self'", 'https://shop.example', 'http://127.0.0.1:8080']);
    expect(modelAllowed(r.config, 'hf:a/b/c.gguf', BASE)).toBe(true);
    expect(modelAllowed(r.config, 'https://cdn.example/m.gguf', BASE)).toBe(false);
    expect(modelAllowed(r.config, 'models/demo.gguf', BASE)).toBe(true); // the widget's own origin
  });

  it('without a key or a file, restricts nothing', () => {
    const r = parseEmbedConfig('{}');
    expect(r.ok && r.config).toEqual(NO_CONFIG);
    expect(hostAllowed(NO_CONFIG, 'https://any.example')).toBe(true);
    expect(modelAllowed(NO_CONFIG, 'https://cdn.example/m.gguf', BASE)).toBe(true);
    expect(frameAncestorSources(NO_CONFIG)).toBeNull();
  });

  it('refuses what is not a list of origins, so a typo cannot open the widget to every site', () => {
    expect(parseEmbedConfig('{"hosts": "https://a.example"}')).toMatchObject({ ok: false, reason: expect.stringContaining('list of origins') });
    expect(parseEmbedConfig('{"hosts": ["https://a.example/path"]}')).toMatchObject({ ok: false });
    expect(parseEmbedConfig('{"hosts": ["*"]}')).toMatchObject({ ok: false });
    expect(parseEmbedConfig('{"host": []}')).toMatchObject({ ok: false, reason: expect.stringContaining('"host"') });
    expect(parseEmbedConfig('{"hosts": [')).toMatchObject({ ok: false, reason: expect.stringContaining('not valid JSON') });
    expect(parseEmbedConfig('[]')).toMatchObject({ ok: false });
  });
});

describe('the widget’s URL parameters', () => {
  it('takes an exact http(s) origin as parent, nothing else', () => {
    expect(parseOrigin('https://shop.example')).toBe('https://shop.example');
    expect(parseOrigin('https://shop.example/')).toBe('https://shop.example');
    expect(parseOrigin('http://127.0.0.1:4300')).toBe('http://127.0.0.1:4300');
    expect(parseOrigin('https://shop.example/page')).toBeNull();
    expect(parseOrigin('https://user@shop.example')).toBeNull();
    expect(parseOrigin('javascript:alert(1)')).toBeNull();
    expect(parseOrigin('*')).toBeNull();
  });

  it('reads ui, theme, accent, title and system, and says which values it ignored', () => {
    const p = parseEmbedParams('?parent=https%3A%2F%2Fshop.example&ui=none&theme=dark&accent=%23ff8800&title=Ask%20us&system=Be%20brief');
    expect(p).toMatchObject({ parent: 'https://shop.example', ui: 'none', theme: 'dark', accent: '#ff8800', title: 'Ask us', system: 'Be brief', problems: [] });
    const bad = parseEmbedParams('?parent=https%3A%2F%2Fshop.example%2Fx&theme=neon&accent=red%3Bbackground%3Aurl(x)');
    expect(bad).toMatchObject({ parent: null, theme: 'auto', accent: null });
    expect(bad.problems).toHaveLength(3);
  });
});

describe('the widget page’s headers', () => {
  it('isolate the frame by itself (Document-Isolation-Policy), let isolated hosts frame it, and list the allowed hosts as frame-ancestors', async () => {
    const { securityHeadersFor } = await import('../../web/src/sw/security-headers');
    const { servedHeadersFor } = await import('../../vite.config');
    const { withAppHeaders } = await import('../../web/src/sw/isolation');
    const embed = servedHeadersFor('/embed.html');
    expect(embed['Document-Isolation-Policy']).toBe('isolate-and-require-corp');
    expect(embed['Cross-Origin-Resource-Policy']).toBe('cross-origin');
    expect(embed['Content-Security-Policy']).not.toContain('frame-ancestors');
    expect(servedHeadersFor('/')['Document-Isolation-Policy']).toBeUndefined();
    expect(servedHeadersFor('/')['Cross-Origin-Resource-Policy']).toBe('same-origin');
    expect(securityHeadersFor('/embed.html', { frameAncestors: ["'self'", 'https://shop.example'] })['Content-Security-Policy']).toContain("frame-ancestors 'self' https://shop.example");
    // On a static host, the service worker adds the same headers to the page it serves.
    const viaWorker = withAppHeaders(new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } }), '/embed.html');
    expect(viaWorker.headers.get('Document-Isolation-Policy')).toBe('isolate-and-require-corp');
    expect(viaWorker.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin');
  });
});
