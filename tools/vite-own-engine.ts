/**
 * `virtual:own-engine`: the URLs of the project's own CPU engine (tools/build-engine.ts writes it to
 * .cache/engine/out/: its threaded and single-threaded builds), or null when it was not built (no emcc), so the app builds either way and runs
 * wllama alone without it. The files go through Vite's `?url` like wllama's, so the build hashes them
 * and the service worker precaches them; none may be inlined as a data: URL (a pthread worker must be
 * a real same-origin script).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { ENGINE_FILES, ENGINE_MANIFEST, type EngineManifest } from './engine-files.ts';

const ID = 'virtual:own-engine';
/** The build's key alone, for the page (the speed calibration is kept per engine build): no file URLs. */
const KEY_ID = 'virtual:own-engine-key';
export const OWN_ENGINE_DIR = fileURLToPath(new URL('../.cache/engine/out', import.meta.url));

/** The built engine's manifest, or null. */
export function ownEngineManifest(dir = OWN_ENGINE_DIR): EngineManifest | null {
  const path = join(dir, ENGINE_MANIFEST);
  if (!existsSync(path) || !Object.values(ENGINE_FILES).every((f) => existsSync(join(dir, f)))) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as EngineManifest;
}

/** The virtual module's source for what is in `dir`. */
export function ownEngineModule(dir = OWN_ENGINE_DIR): string {
  const m = ownEngineManifest(dir);
  if (!m) return 'export const ownEngine = null;\n';
  const file = (f: string): string => JSON.stringify(`${join(dir, f)}?url`);
  const summary = { key: m.key, llamaCpp: m.llamaCpp.commit.slice(0, 10), wasmBytes: m.wasmBytes };
  return [
    `import js from ${file(ENGINE_FILES.js)};`,
    `import wasm from ${file(ENGINE_FILES.wasm)};`,
    `import worker from ${file(ENGINE_FILES.worker)};`,
    `import stJs from ${file(ENGINE_FILES.stJs)};`,
    `import stWasm from ${file(ENGINE_FILES.stWasm)};`,
    `export const ownEngine = { js, wasm, worker, stJs, stWasm, ...${JSON.stringify(summary)} };`,
    '',
  ].join('\n');
}

/** `virtual:own-engine-key`'s source: the build's key, or null without a build. */
export const ownEngineKeyModule = (dir = OWN_ENGINE_DIR): string => `export const ownEngineKey = ${JSON.stringify(ownEngineManifest(dir)?.key ?? null)};\n`;

/** Never inline the engine's files (returns undefined for the rest: Vite's own rule). */
export const keepEngineFilesApart = (filePath: string): false | undefined => (filePath.startsWith(OWN_ENGINE_DIR) ? false : undefined);

export function ownEngine(): Plugin {
  return {
    name: 'starling:own-engine',
    resolveId: (id) => (id === ID || id === KEY_ID ? `\0${id}` : null),
    load: (id) => (id === `\0${ID}` ? ownEngineModule() : id === `\0${KEY_ID}` ? ownEngineKeyModule() : null),
  };
}
