/**
 * wllama 3.13 refuses to load a model when its WebAssembly file was built from another llama.cpp commit
 * than its JavaScript expects (WllamaError 'version_mismatch'). The app serves the wasm files itself
 * (Vite `?url` imports in workers/lib/engine/wllama-host.ts), so the check passes exactly when the
 * installed files agree: the same comparison wllama makes (the commit after the last '-'), on the
 * files the build copies.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, RETRY_CANNOT_HELP } from '../../workers/lib/errors';
import { generationError, versionMismatchError } from '../../workers/lib/engine/engine-errors';

const file = (path: string): string => readFileSync(new URL(`../../node_modules/${path}`, import.meta.url), 'latin1');
const commit = (version: string): string => version.split('-').pop()!;

/** What wllama_start answers, as it is stored in the wasm's data ("version":"b12211-7d7f028"). */
const wasmVersion = (path: string): string => {
  const m = /"version":"(b\d+-[0-9a-f]+)"/.exec(file(path));
  if (!m) throw new Error(`${path} has no llama.cpp version string`);
  return m[1];
};

describe("the engine's files belong together", () => {
  // The JavaScript the app bundles (esm/index.js is what wllama-host.ts imports).
  const expected = /LIBLLAMA_VERSION = "(b\d+-[0-9a-f]+)"/.exec(file('@wllama/wllama/esm/index.js'))?.[1];

  it('the default and the compat wasm are the llama.cpp commit wllama’s script expects', () => {
    expect(expected).toBeDefined();
    expect(commit(wasmVersion('@wllama/wllama/esm/wasm/wllama.wasm'))).toBe(commit(expected!));
    expect(commit(wasmVersion('@wllama/wllama-compat/wasm/wllama.wasm'))).toBe(commit(expected!));
  });

  it('@wllama/wllama and @wllama/wllama-compat are installed at one version', () => {
    const version = (pkg: string): string => (JSON.parse(file(`${pkg}/package.json`)) as { version: string }).version;
    expect(version('@wllama/wllama-compat')).toBe(version('@wllama/wllama'));
  });
});

describe("wllama's errors, as the user reads them", () => {
  const mismatch = Object.assign(
    new Error(
      'wasm file version (b11364-46ca246) does not match the expected version (b12211-7d7f028). Use the wasm file from the same release, or set skipVersionCheck to ignore this error',
    ),
    { type: 'version_mismatch' },
  );

  it('a version mismatch is its own kind, names both versions and the build, and offers no retry', () => {
    const e = versionMismatchError(mismatch, 'compat');
    expect(e).toBeInstanceOf(AppError);
    expect(e?.kind).toBe('engine-mismatch');
    expect(e?.message).toContain('expects llama.cpp b12211-7d7f028');
    expect(e?.message).toContain("the compat build's WebAssembly file is b11364-46ca246");
    expect(e?.message).not.toMatch(/could not load this model/);
    expect(RETRY_CANNOT_HELP.has('engine-mismatch')).toBe(true);
  });

  it('other load errors are left to the load-failed path', () => {
    expect(versionMismatchError(new Error('load failed'), 'default')).toBeNull();
    expect(versionMismatchError(Object.assign(new Error('x'), { type: 'load_error' }), 'default')).toBeNull();
    expect(versionMismatchError('version_mismatch', 'default')).toBeNull();
  });

  it('a reply that is not valid UTF-8 is said to be one; other failures keep their message', () => {
    expect(generationError(new RangeError('Invalid typed array length: 1163217991')).message).toMatch(/not valid UTF-8/);
    expect(generationError(new Error('boom'))).toMatchObject({ kind: 'generation-failed', message: 'Generation failed: boom' });
  });
});
