import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileOwnWasm } from '../../workers/lib/engine/own/module';

/** The smallest valid module: its magic and version. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** A host answering every URL with `body` as `type` (or `status`); returns the URLs asked for. */
function host(body: Uint8Array, type = 'application/wasm', status = 200): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', (url: string) => {
    asked.push(url);
    return Promise.resolve(new Response(status === 200 ? body.slice() : null, { status, headers: { 'content-type': type } }));
  });
  return asked;
}

describe('compileOwnWasm', () => {
  afterEach(() => void vi.unstubAllGlobals());

  it('fetches and compiles a build once: every instance shares the same module', async () => {
    const asked = host(EMPTY_MODULE);
    const a = compileOwnWasm('https://app.test/a.wasm');
    expect(compileOwnWasm('https://app.test/a.wasm')).toBe(a);
    expect(await a).toBeInstanceOf(WebAssembly.Module);
    expect(asked).toEqual(['https://app.test/a.wasm']);
  });

  it('compiles a wasm served under another type than application/wasm (no streaming compile there)', async () => {
    host(EMPTY_MODULE, 'application/octet-stream');
    expect(await compileOwnWasm('https://app.test/b.wasm')).toBeInstanceOf(WebAssembly.Module);
  });

  it('refuses an HTTP error with its status, and tries a failed build again at the next instance', async () => {
    host(EMPTY_MODULE, 'text/html', 404);
    await expect(compileOwnWasm('https://app.test/c.wasm')).rejects.toThrow("the engine's wasm (https://app.test/c.wasm) answered HTTP 404");
    const asked = host(new TextEncoder().encode('not wasm'));
    await expect(compileOwnWasm('https://app.test/c.wasm')).rejects.toThrow(WebAssembly.CompileError);
    host(EMPTY_MODULE);
    expect(await compileOwnWasm('https://app.test/c.wasm')).toBeInstanceOf(WebAssembly.Module);
    expect(asked).toEqual(['https://app.test/c.wasm']);
  });
});
