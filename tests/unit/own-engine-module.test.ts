import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownEngineKeyModule, ownEngineModule } from '../../tools/vite-own-engine';
import { ENGINE_FILES, ENGINE_MANIFEST } from '../../tools/engine-files';

describe('virtual:own-engine', () => {
  it('is null when the engine was not built, so the app builds with wllama alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'own-engine-'));
    expect(ownEngineModule(dir)).toBe('export const ownEngine = null;\n');
    // A manifest without its files (an interrupted copy) is no engine either.
    writeFileSync(join(dir, ENGINE_MANIFEST), JSON.stringify({ key: 'k', llamaCpp: { commit: 'abc' }, wasmBytes: 1 }));
    expect(ownEngineModule(dir)).toBe('export const ownEngine = null;\n');
    expect(ownEngineKeyModule(dir)).toBe('export const ownEngineKey = null;\n');
  });

  it('imports the three built files by ?url (hashed, precached) when they are there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'own-engine-'));
    for (const f of Object.values(ENGINE_FILES)) writeFileSync(join(dir, f), '');
    writeFileSync(join(dir, ENGINE_MANIFEST), JSON.stringify({ key: 'k1', llamaCpp: { commit: '0123456789abcdef' }, wasmBytes: 42 }));
    const code = ownEngineModule(dir);
    for (const f of Object.values(ENGINE_FILES)) expect(code).toContain(`${JSON.stringify(`${join(dir, f)}?url`)}`);
    expect(code).toContain('"llamaCpp":"0123456789"');
    // The page's module: the key alone, none of the files' URLs.
    expect(ownEngineKeyModule(dir)).toBe('export const ownEngineKey = "k1";\n');
  });
});
