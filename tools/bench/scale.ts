/**
 * `npm run bench -- --scale`: a Starling-7B-shaped model (Mistral-7B's exact shapes, the real OpenChat
 * vocabulary, random K-quant weights, about 3.1 GB as Q3_K) in gguf-split shards of at most 500 MB,
 * downloaded by the app into IndexedDB, loaded again from the cache, and asked for a few tokens; its
 * load time, speed and peak memory are set against the memory planner's prediction and native llama.cpp.
 */
import { existsSync, mkdirSync, mkdtempSync, openAsBlob, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineShardInfos, readHeaderInfo } from '../../workers/lib/planner/header-info';
import { planMemory, type MemoryPlan } from '../../workers/lib/planner/memory-plan';
import type { TensorSpec } from '../models/gguf-writer';
import { writeGgufSplit } from '../models/gguf-writer';
import { llamaSpec, STARLING_7B_SHAPE } from '../models/llama-model';
import { openChatVocabKv } from '../models/openchat-vocab';
import { GgmlType, toHalf, TYPE_INFO, type GgmlTypeId } from '../models/quant';
import { appVisit, type AppVisit, type AppVisitOptions } from './app';
import { describeDiskReads, diskReadsSince, vmCounters, type DiskReads } from './disk-reads';
import { readCachedModel, type CacheRead } from './cache';
import { median } from './figures';
import { calibrateInPage, checkForecast, describeForecast, type ForecastCheck } from './forecast';
import type { SpeedCalibration } from '../../workers/lib/planner/speed-forecast';
import type { BenchArgs } from './args';
import { nativeAvailable, nativeRun, type NativeRun } from './native';
import { SCALE_MESSAGE, SCALE_PROMPT } from './prompt';
import { ROOT, startServers } from './servers';

const DIR = join(ROOT, '.cache/scale-models');
const MAX_SHARD_BYTES = 500e6;
const THREADS = 2;
const CTX = 512;
const TOKENS = 6;
const TIMEOUT = 40 * 60_000;
/** Cached loads measured: the cache visit's and extra ones (the median is reported). */
const CACHE_LOADS = 3;

/**
 * f16 scales that keep activations finite through 32 layers: a random block's weights are about
 * GAIN × d in magnitude (Q3_K: 6-bit scales minus 32 times 3-bit values; Q2_K: 4-bit scales times
 * 2-bit values, minus 4-bit mins times dmin), so d = 1 / (GAIN · sqrt(row length)) gives rows of
 * roughly unit norm, like trained weights.
 */
const GAIN: Partial<Record<GgmlTypeId, number>> = { [GgmlType.Q3_K]: 32, [GgmlType.Q2_K]: 12 };

function withSmallScales(t: TensorSpec): TensorSpec {
  const gain = GAIN[t.type];
  if (!gain) return t;
  const info = TYPE_INFO(t.type);
  const half = toHalf(1 / (gain * Math.sqrt(t.dims[0])));
  const inner = t.data;
  return {
    ...t,
    data: function* () {
      for (const buf of inner()) {
        const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        for (let o = 0; o + info.typeSize <= buf.length; o += info.typeSize) for (const s of info.scaleOffsets) view.setUint16(o + s, half, true);
        yield buf;
      }
    },
  };
}

/** Writes the shards unless a complete set is there; returns their paths in order. */
export function ensureScaleModel(kind: BenchArgs['scaleType']): string[] {
  const type = kind === 'q2_k' ? GgmlType.Q2_K : GgmlType.Q3_K;
  const prefix = join(DIR, `starling-7b-shape.${kind.toUpperCase()}`);
  const done = `${prefix}.complete`;
  const shards = (): string[] =>
    readdirSync(DIR)
      .filter((f) => f.startsWith(`starling-7b-shape.${kind.toUpperCase()}-`) && f.endsWith('.gguf'))
      .sort()
      .map((f) => join(DIR, f));
  mkdirSync(DIR, { recursive: true });
  if (existsSync(done)) return shards();
  for (const f of shards()) unlinkSync(f);
  console.log(`Writing the Starling-7B-shaped ${kind.toUpperCase()} model into .cache/scale-models (about ${kind === 'q2_k' ? '2.4' : '3.1'} GB) ...`);
  const t0 = Date.now();
  const spec = llamaSpec({
    name: `Starling-7B-shaped scale test (random ${kind.toUpperCase()} weights)`,
    shape: { ...STARLING_7B_SHAPE },
    types: { embedding: type, output: type, layers: type },
    weights: () => 'random',
    vocabKv: openChatVocabKv(),
  });
  const paths = writeGgufSplit(prefix, { ...spec, tensors: spec.tensors.map(withSmallScales) }, MAX_SHARD_BYTES);
  writeFileSync(done, paths.join('\n'));
  console.log(`  ${paths.length} shards, ${(paths.reduce((n, p) => n + statSync(p).size, 0) / 1e9).toFixed(2)} GB in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return paths;
}

export interface ScaleResult {
  shards: { file: string; bytes: number }[];
  totalBytes: number;
  plan: MemoryPlan;
  firstVisit: AppVisit | null;
  cacheVisit: AppVisit | null;
  native: NativeRun | null;
  /** The app's speed forecast for this model (its calibration in the cache visit) against the speed it then measured. */
  forecast: ForecastCheck | null;
  /** Every cached chunk read back from IndexedDB in the page: three times after the first visit, and once in each extra cache load; ms is the median. */
  idbRead: CacheRead | null;
  /** Navigation to ready from the cache: the cache visit's, then the extra loads'. */
  cacheLoads: number[];
  /** The same loads from the app's start of the load (model status "loading") to ready. */
  cacheLoadSpans: number[];
  /** Each of those loads' reads from the disk and page faults, navigation to ready. */
  cacheLoadDisk: DiskReads[];
  calibration: SpeedCalibration | null;
  errors: string[];
}

/** From the app's first "loading" to ready: the load itself, without the page's boot before it. */
function loadSpan(v: AppVisit): number {
  const start = v.transitions.find((t) => t.state === 'loading')?.t ?? 0;
  return v.loadMs - start;
}

/** A visit whose reads from the disk are counted from its start to ready (the hook runs at ready). */
async function visitCountingDisk(o: AppVisitOptions): Promise<{ visit: AppVisit; disk: DiskReads }> {
  const before = vmCounters();
  let disk: DiskReads | null = null;
  const visit = await appVisit({
    ...o,
    afterReady: (page) => {
      disk = diskReadsSince(before);
      return o.afterReady ? o.afterReady(page) : Promise.resolve(undefined);
    },
  });
  return { visit, disk: disk ?? diskReadsSince(before) };
}

const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
const say = (s: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

export async function runScale(args: BenchArgs): Promise<ScaleResult> {
  const paths = ensureScaleModel(args.scaleType);
  const infos = await Promise.all(paths.map(async (p) => readHeaderInfo(await openAsBlob(p))));
  const combined = combineShardInfos(infos);
  const plan = planMemory(combined, { ctx: CTX, backend: 'cpu' });
  const shards = paths.map((p) => ({ file: p.slice(DIR.length + 1), bytes: statSync(p).size }));
  const totalBytes = shards.reduce((n, s) => n + s.bytes, 0);
  console.log(`Scale model: ${shards.length} shards, ${mb(totalBytes)}; planner (ctx ${CTX}, cpu): ${mb(plan.total)} in the wasm heap (${plan.verdict}; weights ${mb(plan.weights)}, KV ${mb(plan.kvCache)}, compute ${mb(plan.compute)}, runtime ${mb(plan.overhead)})`);
  const result: ScaleResult = { shards, totalBytes, plan, firstVisit: null, cacheVisit: null, native: null, forecast: null, idbRead: null, cacheLoads: [], cacheLoadSpans: [], cacheLoadDisk: [], calibration: null, errors: [] };

  const servers = await startServers(DIR);
  const profile = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const modelUrl = `${servers.models.url}/models/${shards[0].file}`;
  try {
    say('app first visit: download all shards into IndexedDB, then load');
    result.firstVisit = await appVisit({
      profile, appUrl: servers.app, modelUrl, threads: THREADS, ctx: CTX, maxTokens: TOKENS, timeoutMs: TIMEOUT,
      // What the cached load is set against: every stored chunk read back from IndexedDB in the page,
      // three times (one read varied from 3.3 to 5.5 s between runs).
      afterReady: (page) => readCachedModel(page, shards[0].file, 3),
    });
    result.idbRead = (result.firstVisit.afterReady as CacheRead | undefined) ?? null;
    const runs = result.idbRead?.runs?.map((ms) => (ms / 1000).toFixed(1)).join(', ');
    if (result.idbRead) say(`  IndexedDB read of all ${result.idbRead.chunks} chunks in the page: ${(result.idbRead.ms / 1000).toFixed(1)} s (${(result.idbRead.bytes / 1e6 / (result.idbRead.ms / 1000)).toFixed(0)} MB/s; median of ${runs} s)`);
    const dl = result.firstVisit.downloadMs;
    say(`  ready after ${(result.firstVisit.loadMs / 1000).toFixed(1)} s (download+write ${dl === null ? '?' : (dl / 1000).toFixed(1)} s)`);
    say(`app second visit: load from the cache, generate ${TOKENS} tokens`);
    const cached = await visitCountingDisk({
      profile, appUrl: servers.app, modelUrl, threads: THREADS, ctx: CTX, message: SCALE_MESSAGE, maxTokens: TOKENS, timeoutMs: TIMEOUT,
      // The catalogue's speed forecast, calibrated in this page before the reply.
      afterReady: (page) => calibrateInPage(page),
    });
    result.cacheVisit = cached.visit;
    result.cacheLoadDisk.push(cached.disk);
    result.calibration = (result.cacheVisit.afterReady as SpeedCalibration | undefined) ?? null;
    const st = result.cacheVisit.stats;
    if (result.calibration && st) {
      result.forecast = checkForecast(result.calibration, combined, { promptTps: Number(st['prompt-tps']), genTps: Number(st['gen-tps']) });
      say(`  forecast (calibrated in ${(result.calibration.ms / 1000).toFixed(1)} s): ${describeForecast(result.forecast)}`);
    }
    say(`  engine: ${String(st?.engine ?? '?')}`);
    say(`  ready after ${(result.cacheVisit.loadMs / 1000).toFixed(1)} s, ${describeDiskReads(cached.disk)}; pp ${result.cacheVisit.stats?.['prompt-tps']} tg ${result.cacheVisit.stats?.['gen-tps']} tok/s`);
    // One load and one read varied by a second between runs: the ratio is of medians, the extra loads
    // each followed by one more read in the same page (its peak memory is not the one reported).
    result.cacheLoads.push(result.cacheVisit.loadMs);
    result.cacheLoadSpans.push(loadSpan(result.cacheVisit));
    const reads = [...(result.idbRead?.runs ?? [])];
    for (let i = 1; i < CACHE_LOADS; i++) {
      say(`app cache load ${i + 1} of ${CACHE_LOADS}, then one IndexedDB read`);
      const { visit: v, disk } = await visitCountingDisk({ profile, appUrl: servers.app, modelUrl, threads: THREADS, ctx: CTX, maxTokens: TOKENS, timeoutMs: TIMEOUT, afterReady: (page) => readCachedModel(page, shards[0].file) });
      result.cacheLoadDisk.push(disk);
      result.cacheLoads.push(v.loadMs);
      result.cacheLoadSpans.push(loadSpan(v));
      const r = v.afterReady as CacheRead | undefined;
      if (r) reads.push(r.ms);
      say(`  ready after ${(v.loadMs / 1000).toFixed(1)} s, ${describeDiskReads(disk)}; IndexedDB read ${r ? `${(r.ms / 1000).toFixed(1)} s` : '-'}`);
      // Where each load's time went (the slow one among them is what the median hides).
      for (const p of v.engineLoad?.phases ?? []) if (p.ms >= 100) say(`    ${(p.ms / 1000).toFixed(1)} s  ${p.step}`);
    }
    if (result.idbRead && reads.length) result.idbRead = { ...result.idbRead, ms: median(reads), runs: reads };
  } catch (e) {
    result.errors.push(`app: ${e instanceof Error ? e.message : String(e)}`);
    console.log(`app failed: ${result.errors[result.errors.length - 1]}`);
  } finally {
    await servers.close();
    rmSync(profile, { recursive: true, force: true });
  }
  if (nativeAvailable()) {
    say('native llama.cpp on the same shards');
    try {
      result.native = await nativeRun({ modelPath: paths[0], threads: THREADS, ctx: CTX, tokens: TOKENS, prompt: SCALE_PROMPT, timeoutMs: TIMEOUT });
    } catch (e) {
      result.errors.push(`native: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  printScale(result);
  return result;
}

function printScale(r: ScaleResult): void {
  const f = r.firstVisit;
  const c = r.cacheVisit;
  const n = r.native;
  const st = c?.stats;
  console.log(`\nStarling-7B-shaped scale model, ${r.shards.length} shards, ${mb(r.totalBytes)}, ${THREADS} threads, ctx ${CTX}:`);
  console.log(`  app first visit (download + IndexedDB write + load): ${f ? `${(f.loadMs / 1000).toFixed(1)} s` : '-'}` +
    (f?.downloadMs ? `, of which download+write ${(f.downloadMs / 1000).toFixed(1)} s (${(r.totalBytes / 1e6 / (f.downloadMs / 1000)).toFixed(0)} MB/s)` : ''));
  console.log(`  app engine: ${st?.engine ?? '-'}, build ${st?.build ?? '-'}, n_batch ${st?.batch ?? '-'}`);
  console.log(`  speed forecast before download: ${r.forecast ? describeForecast(r.forecast) : '-'}`);
  const read = r.idbRead;
  const load = r.cacheLoads.length ? median(r.cacheLoads) : null;
  const secs = (ms: number): string => (ms / 1000).toFixed(1);
  const span = r.cacheLoadSpans.length ? median(r.cacheLoadSpans) : null;
  // The read is timed from when the page starts it; the load likewise from when the app starts it
  // (model status "loading"). From navigation, the load also holds the page's boot (HTML, scripts, the app's start).
  console.log(
    `  app load from the cache: ${span ? `${secs(span)} s from the start of the load to ready (median of ${r.cacheLoadSpans.map(secs).join(', ')})` : '-'}; ` +
      `${load ? `${secs(load)} s from navigation (median of ${r.cacheLoads.map(secs).join(', ')})` : '-'}\n` +
      `  IndexedDB read alone, in the page: ${read ? `${secs(read.ms)} s (median of ${(read.runs ?? [read.ms]).map(secs).join(', ')})` : '-'}\n` +
      `  load / read: ${span && read ? (span / read.ms).toFixed(2) : '-'} (target <= 1.5); from navigation ${load && read ? (load / read.ms).toFixed(2) : '-'}`,
  );
  // A load whose model came from the disk is not the one the read in the page is set against (disk-reads.ts).
  if (r.cacheLoadDisk.length) console.log(`  each cached load: ${r.cacheLoadDisk.map(describeDiskReads).join('; ')}`);
  const el = c?.engineLoad;
  if (el && c) {
    console.log(`  where the first cached load went: ${(c.loadMs / 1000).toFixed(1)} s from navigation to ready, of which ${(el.ms / 1000).toFixed(1)} s in the engine worker's load:`);
    for (const p of el.phases) console.log(`    ${(p.ms / 1000).toFixed(1).padStart(6)} s  ${p.step}${p.bytes ? ` (${mb(p.bytes)}, ${(p.bytes / 1e6 / (p.ms / 1000)).toFixed(0)} MB/s)` : ''}`);
  }
  console.log(`  app speed: prompt ${st?.['prompt-tps'] ?? '-'} tok/s (${st?.['prompt-tokens'] ?? '-'} tokens), generation ${st?.['gen-tps'] ?? '-'} tok/s (${st?.['gen-tokens'] ?? '-'} tokens), first token ${st?.['ttft-ms'] ?? '-'} ms`);
  console.log(`  app main-thread long tasks: loading ${c?.longTasksLoading ? `${c.longTasksLoading.count} (max ${c.longTasksLoading.maxMs.toFixed(0)} ms)` : '-'}, generating ${c?.longTasks ? `${c.longTasks.count} (max ${c.longTasks.maxMs.toFixed(0)} ms)` : '-'}`);
  console.log(`  peak memory, renderer VmHWM: first visit ${f ? mb(f.rendererPeak) : '-'}, cache visit ${c ? mb(c.rendererPeak) : '-'}; all Chromium processes (RSS sum): ${c ? mb(c.browserRssPeak) : '-'}`);
  console.log(`  renderer resident memory in the cache visit: at ready ${c ? mb(c.rendererRssReady) : '-'}, after the reply ${c?.rendererRssAfterReply ? mb(c.rendererRssAfterReply) : '-'}`);
  const heap = c?.wasmHeapBytes ?? null;
  const used = c?.wasmHeapUsedBytes ?? null;
  console.log(`  planner prediction (wasm heap, ctx ${CTX}): ${mb(r.plan.total)} (${r.plan.verdict}); renderer peak / prediction: ${c ? (c.rendererPeak / r.plan.total).toFixed(2) : '-'}`);
  console.log(
    `  measured wasm heap (the own engine's WebAssembly.Memory after the load): ${heap ? mb(heap) : '-'}; ` +
      `of it used by malloc ${used ? mb(used) : '-'}; planner / heap ${heap ? (r.plan.total / heap).toFixed(2) : '-'} (target 0.90-1.10), planner / used ${used ? (r.plan.total / used).toFixed(2) : '-'}; renderer peak / heap ${heap && c ? (c.rendererPeak / heap).toFixed(2) : '-'} (target <= 1.15)`,
  );
  console.log(`  native llama.cpp: ${n ? `load ${(n.loadMs / 1000).toFixed(1)} s, prompt ${n.promptTps.toFixed(2)} tok/s, generation ${n.genTps.toFixed(2)} tok/s, peak RSS ${mb(n.peakRss)}` : '-'}`);
  if (st && n) console.log(`  app/native generation: ${(Number(st['gen-tps']) / n.genTps).toFixed(2)}`);
  for (const e of r.errors) console.log(`  error: ${e}`);
}
