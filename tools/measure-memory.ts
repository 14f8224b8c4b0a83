/**
 * Calibrates and checks the memory planner (workers/lib/planner) against wllama in headless Chromium.
 *
 *   npx tsx tools/measure-memory.ts [--quick] [--only=<model>] [--no-build] [--no-ceiling]
 *   npx tsx tools/measure-memory.ts --replan   (re-predict the last measurements with the current planner)
 *
 * Generates random-weight models with the project's generator into .cache/planner-models/, builds the
 * app (with web/bench/memory.html) into /tmp/planner-dist, serves it on port 4190 with COOP/COEP, and
 * loads each model at several context sizes with one thread. The measurement is the peak WebAssembly
 * heap of wllama's worker (see web/bench/memory.ts for how it is read), i.e. the quantity wllama's
 * 4 GiB ceiling applies to; llama.cpp's own buffer sizes and the renderer's peak RSS are shown beside
 * it. The ceiling probe loads a small model with a context so large that the KV cache nearly (and then
 * more than) fills 4 GiB, and checks the planner's verdict against what happened.
 * Prints a table and writes .cache/planner-models/measurements.json.
 */
import { chromium, type Browser } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, openAsBlob, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer } from '../tests/fixtures/model-server';
import { readHeaderInfo } from '../workers/lib/planner/header-info';
import { planMemory, type MemoryPlan } from '../workers/lib/planner/memory-plan';
import { CHROMIUM_ARGS, chromiumPath } from './chromium';
import { descendants, statusKb } from './bench/browser';
import { writeGguf } from './models/gguf-writer';
import { llamaSpec, type LlamaShape } from './models/llama-model';
import { openChatVocabKv } from './models/openchat-vocab';
import { GgmlType, type GgmlTypeId } from './models/quant';
import { starChatVocab, starChatVocabKv } from './models/starchat-vocab';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL_DIR = join(ROOT, '.cache/planner-models');
const DIST = '/tmp/planner-dist';
const PAGE_PORT = 4190;
const MiB = 1 << 20;

interface ProbeModel {
  file: string;
  what: string;
  shape: () => LlamaShape;
  type: GgmlTypeId;
  bpe?: boolean;
  ctxs: number[];
  quickCtxs: number[];
}

// Widths 768 and 4096 (Starling's), 32k SentencePiece and 50k BPE vocabularies, 4 and 8 layers at
// Starling width: enough to separate the formula's terms. All stay under 1.2 GB.
const MODELS: ProbeModel[] = [
  {
    file: 'probe-134m.Q8_0.gguf',
    what: '134M, dim 768, 32k vocab',
    shape: () => ({ vocab: 32002, dim: 768, layers: 12, heads: 12, kvHeads: 12, ff: 2048, ctx: 4096 }),
    type: GgmlType.Q8_0,
    ctxs: [256, 512, 2048, 4096],
    quickCtxs: [512, 4096],
  },
  {
    file: 'probe-134m-bpe.Q8_0.gguf',
    what: '134M, dim 768, 50k BPE vocab',
    shape: () => ({ vocab: starChatVocab().tokens.length, dim: 768, layers: 12, heads: 12, kvHeads: 12, ff: 2048, ctx: 4096 }),
    type: GgmlType.Q8_0,
    bpe: true,
    ctxs: [512, 4096],
    quickCtxs: [512],
  },
  {
    file: 'probe-starling-4l.Q4_K.gguf',
    what: 'Starling width, 4 layers',
    shape: () => ({ vocab: 32002, dim: 4096, layers: 4, heads: 32, kvHeads: 8, ff: 14336, ctx: 8192 }),
    type: GgmlType.Q4_K,
    ctxs: [512, 2048, 4096, 8192],
    quickCtxs: [2048],
  },
  {
    file: 'probe-starling-8l.Q4_0.gguf',
    what: 'Starling width, 8 layers',
    shape: () => ({ vocab: 32002, dim: 4096, layers: 8, heads: 32, kvHeads: 8, ff: 14336, ctx: 8192 }),
    type: GgmlType.Q4_0,
    ctxs: [512, 1000, 2048, 4096],
    quickCtxs: [4096],
  },
];

// Contexts for the 134M model whose KV cache takes 3.5 GiB and 3.8 GiB: planned just under and just
// over the 4 GiB heap.
const CEILING_CTXS = [102400, 110592];

interface Probe {
  ctx: number;
  loadError: string | null;
  generateError: string | null;
  loadMs: number;
  afterLoad: { byteLength: number; maxRequested: number; maximumPages: string } | { error: string };
  afterGenerate: { byteLength: number; maxRequested: number } | { error: string } | null;
  buffers: { component: string; device: string; mib: number }[];
  lastLogs: string[];
}

interface Row {
  model: string;
  ctx: number;
  plan: MemoryPlan;
  probe: Probe;
  /** Peak heap (bytes): the memory's byteLength after generating (exact growth), or the refused request. */
  measured: number;
  rssPeak: number | null;
}

function ensureModel(m: ProbeModel): string {
  mkdirSync(MODEL_DIR, { recursive: true });
  const path = join(MODEL_DIR, m.file);
  if (existsSync(path) && statSync(path).size > 0) return path;
  const t0 = Date.now();
  const shape = m.shape();
  writeGguf(
    path,
    llamaSpec({
      name: `Memory probe: ${m.what} (random weights)`,
      shape,
      types: { embedding: m.type, output: m.type, layers: m.type },
      weights: () => 'random',
      vocabKv: m.bpe ? starChatVocabKv() : openChatVocabKv(),
    }),
  );
  console.log(`wrote ${m.file} (${(statSync(path).size / 1e9).toFixed(2)} GB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** The built app, cross-origin isolated (wllama needs SharedArrayBuffer). */
async function serveDist(): Promise<Server> {
  const server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const path = join(DIST, rel);
    if (!path.startsWith(DIST) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(PAGE_PORT, '127.0.0.1', resolve));
  return server;
}

/**
 * Peak resident memory (VmHWM) of the renderer processes (they host the page and its workers) under
 * this Node process: Playwright starts Chromium as our child, and one browser runs at a time.
 */
function rendererPeakRss(): number | null {
  const hwms = descendants(process.pid)
    .filter((p) => p.renderer)
    .map((p) => statusKb(p.pid, 'VmHWM') * 1024);
  return hwms.length ? Math.max(...hwms) : null;
}

async function probe(modelUrl: string, ctx: number): Promise<{ probe: Probe; rssPeak: number | null }> {
  // A fresh browser per run: VmHWM is a per-process lifetime peak.
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${PAGE_PORT}/bench/memory.html?model=${encodeURIComponent(modelUrl)}&ctx=${ctx}&threads=1&n=4`);
    await page.waitForFunction(() => (window as unknown as { __memory?: unknown }).__memory, null, { timeout: 600_000, polling: 250 });
    const result = await page.evaluate(() => (window as unknown as { __memory: Probe | { error: string } }).__memory);
    if ('error' in result) throw new Error(`memory page failed: ${result.error}`);
    return { probe: result, rssPeak: rendererPeakRss() };
  } finally {
    await browser.close();
  }
}

const heapOf = (p: Probe): number => {
  const after = p.afterGenerate && !('error' in p.afterGenerate) ? p.afterGenerate : p.afterLoad;
  if ('error' in after) throw new Error(after.error);
  // A refused growth (request above the maximum) shows what the failed load needed at that point.
  return Math.max(after.byteLength, after.maxRequested);
};

const mib = (b: number): string => (b / MiB).toFixed(1);
const pad = (s: string | number, n: number): string => String(s).padStart(n);

function printTable(rows: Row[]): void {
  console.log('\nAll sizes in MiB. predicted = planMemory(header, {ctx, backend: "cpu"}).total; measured = peak wasm heap.');
  console.log(
    [pad('model', 30), pad('ctx', 6), pad('weights', 8), pad('KV', 7), pad('compute', 8), pad('runtime', 8), pad('predicted', 10), pad('measured', 9), pad('ratio', 6), pad('llama.cpp model/KV/compute', 27), pad('rss', 7), '  outcome'].join(' '),
  );
  for (const r of rows) {
    const buf = (c: string) => r.probe.buffers.find((b) => b.component === c)?.mib.toFixed(1) ?? '-';
    const outcome = r.probe.loadError ?? r.probe.generateError ? 'FAILED' : 'loaded';
    const agree = (outcome === 'loaded') === r.plan.fits ? '' : ' (planner disagrees!)';
    console.log(
      [
        pad(r.model, 30),
        pad(r.ctx, 6),
        pad(mib(r.plan.weights), 8),
        pad(mib(r.plan.kvCache), 7),
        pad(mib(r.plan.compute), 8),
        pad(mib(r.plan.overhead), 8),
        pad(mib(r.plan.total), 10),
        pad(mib(r.measured), 9),
        pad((r.plan.total / r.measured).toFixed(3), 6),
        pad(`${buf('model')}/${buf('KV')}/${buf('compute')}`, 27),
        pad(r.rssPeak === null ? '-' : mib(r.rssPeak), 7),
        `  ${outcome}, plan: ${r.plan.verdict}${agree}`,
      ].join(' '),
    );
  }
  const ratios = rows.filter((r) => !r.probe.loadError && !r.probe.generateError).map((r) => r.plan.total / r.measured);
  if (ratios.length) {
    const worst = ratios.reduce((a, b) => (Math.abs(b - 1) > Math.abs(a - 1) ? b : a));
    console.log(`\n${ratios.length} loaded runs: predicted/measured from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)} (worst ${((worst - 1) * 100).toFixed(1)}%).`);
  }
}

/** Predicts again from the saved measurements: for tuning the planner's constants without a browser. */
async function replan(): Promise<void> {
  const saved = JSON.parse(readFileSync(join(MODEL_DIR, 'measurements.json'), 'utf8')) as Row[];
  const rows: Row[] = [];
  for (const r of saved) {
    const info = await readHeaderInfo(await openAsBlob(join(MODEL_DIR, `${r.model}.gguf`)));
    rows.push({ ...r, plan: planMemory(info, { ctx: r.ctx, backend: 'cpu' }) });
  }
  printTable(rows);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--replan')) return replan();
  const quick = args.includes('--quick');
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (!args.includes('--no-build') || !existsSync(join(DIST, 'bench/memory.html'))) {
    const built = spawnSync('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('vite build failed');
  }
  const models = MODELS.filter((m) => !only || m.file.includes(only));
  const paths = new Map(models.map((m) => [m, ensureModel(m)]));
  const pageServer = await serveDist();
  const modelServer = await startModelServer(MODEL_DIR);
  const rows: Row[] = [];
  try {
    const runs: [ProbeModel, number][] = models.flatMap((m) => (quick ? m.quickCtxs : m.ctxs).map((ctx): [ProbeModel, number] => [m, ctx]));
    if (!args.includes('--no-ceiling') && !quick && models.includes(MODELS[0])) runs.push(...CEILING_CTXS.map((ctx): [ProbeModel, number] => [MODELS[0], ctx]));
    for (const [m, ctx] of runs) {
      const path = paths.get(m)!;
      const info = await readHeaderInfo(await openAsBlob(path));
      const plan = planMemory(info, { ctx, backend: 'cpu' });
      const t0 = Date.now();
      const { probe: p, rssPeak } = await probe(`${modelServer.url}/models/${m.file}`, ctx);
      const row: Row = { model: m.file.replace(/\.gguf$/, ''), ctx, plan, probe: p, measured: heapOf(p), rssPeak };
      rows.push(row);
      const status = p.loadError ?? p.generateError ?? 'ok';
      console.log(`${row.model} ctx ${ctx}: predicted ${mib(plan.total)} MiB, measured ${mib(row.measured)} MiB (${((Date.now() - t0) / 1000).toFixed(0)} s, ${status})`);
    }
  } finally {
    await modelServer.close();
    pageServer.close();
  }
  printTable(rows);
  const failed = rows.find((r) => r.probe.loadError || r.probe.generateError);
  if (failed) console.log(`\nFailed load (${failed.model} ctx ${failed.ctx}), llama.cpp said:\n  ${failed.probe.lastLogs.filter((l) => /alloc|memory|fail/i.test(l)).join('\n  ')}`);
  writeFileSync(join(MODEL_DIR, 'measurements.json'), JSON.stringify(rows, null, 1));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
