/**
 * The benchmark's servers: the built app with the cross-origin isolation headers (vite's preview
 * server, as `npm start` uses, on a free port) and the test suite's model server (Range, CORS).
 * The app is built into its own folder, not dist/, so a test run building dist/ at the same time
 * cannot pull files out from under a benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';
import { startModelServer, type ModelServer } from '../../tests/fixtures/model-server';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_DIST = join(ROOT, '.cache/bench-dist');

/** `npm run build` into .cache/bench-dist. */
export function buildApp(): void {
  console.log('Building the app (npm run build) into .cache/bench-dist ...');
  const r = spawnSync('npm', ['run', 'build', '--', '--outDir', BENCH_DIST, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

let chosenDist: string | null = null;

/** Serve this built app folder (`--dist`) instead of the bench build. */
export function useDist(dir: string): void {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`--dist ${dir}: no index.html there (build it with vite build --outDir)`);
  chosenDist = dir;
}

/** The folder to serve: --dist, else the bench build, or dist/ when there is none (with --no-build). */
export function distDir(): string {
  if (chosenDist) return chosenDist;
  if (existsSync(join(BENCH_DIST, 'index.html'))) return BENCH_DIST;
  if (existsSync(join(ROOT, 'dist/index.html'))) return join(ROOT, 'dist');
  throw new Error('no build found: run without --no-build');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Servers {
  app: string;
  models: ModelServer;
  close(): Promise<void>;
}

export async function startServers(modelDir: string): Promise<Servers> {
  const outDir = distDir();
  const port = await freePort();
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
    preview: { port, strictPort: true, open: false },
  });
  const models = await startModelServer(modelDir);
  return {
    app: `http://127.0.0.1:${port}`,
    models,
    close: async () => {
      await models.close();
      await server.close();
    },
  };
}
