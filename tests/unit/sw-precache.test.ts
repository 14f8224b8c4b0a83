/**
 * What the build's precache manifest holds (tools/vite-precache.ts), on a folder laid out like dist/:
 * the shell and every wasm file, however large; the demo model and no other model; not sw.js, not
 * the bench pages.
 */
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_PRECACHED_FILE_BYTES, precacheManifest, withBuildId } from '../../tools/vite-precache';
import { DEFAULT_MODEL_PATH } from '../../web/src/lib/default-model';

let dist: string;
const files: Record<string, number> = {
  'index.html': 100,
  'embed.html': 100,
  'sw.js': 100,
  'favicon.svg': 100,
  'bench/bare.html': 100,
  'assets/app-AbCdEf12.js': 100,
  'assets/app-AbCdEf12.js.map': 100,
  'assets/app-Zyxwvu98.css': 100,
  // Sizes of the real llama.cpp builds (10 and 19 MB): well past Workbox's 2 MiB default.
  'assets/wllama-CO25czjY.wasm': 10_244_628,
  'assets/wllama-DoW_278M.wasm': 18_755_784,
  [DEFAULT_MODEL_PATH]: 5_115_456,
  'models/other.Q8_0.gguf': 1000,
  'other-model.gguf': 1000,
};

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'sw-precache-'));
  for (const [path, size] of Object.entries(files)) {
    await mkdir(dirname(join(dist, path)), { recursive: true });
    await writeFile(join(dist, path), path);
    await truncate(join(dist, path), size); // sparse: no 30 MB written
  }
});
afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

it('precaches the shell, both wasm builds and the demo model only; hashed assets carry no extra revision', async () => {
  const { entries, size, warnings } = await precacheManifest(dist);
  expect(warnings).toEqual([]);
  const urls = entries.map((e) => e.url).sort();
  expect(urls).toEqual(
    ['index.html', 'embed.html', 'favicon.svg', 'assets/app-AbCdEf12.js', 'assets/app-Zyxwvu98.css', 'assets/wllama-CO25czjY.wasm', 'assets/wllama-DoW_278M.wasm', DEFAULT_MODEL_PATH].sort(),
  );
  expect(entries.find((e) => e.url === 'assets/wllama-DoW_278M.wasm')?.revision).toBeNull();
  expect(entries.find((e) => e.url === 'index.html')?.revision).toMatch(/^[0-9a-f]{32}$/);
  expect(size).toBe(entries.reduce((n, e) => n + files[e.url]!, 0));
  expect(MAX_PRECACHED_FILE_BYTES).toBeGreaterThan(files['assets/wllama-DoW_278M.wasm']!);
});

it('stamps the build id on the <html> tag', () => {
  expect(withBuildId('<!doctype html>\n<html lang="en">\n<head>', 'b1')).toBe('<!doctype html>\n<html data-build-id="b1" lang="en">\n<head>');
});
