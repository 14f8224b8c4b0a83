/** Prints the benchmark's one table, the best-thread summary and the cache figures. */
import type { LongTasks } from './browser';
import { median, type Figures } from './figures';
import { describeForecast, type ForecastCheck } from './forecast';

export interface Row {
  model: string;
  threads: number;
  /** The app as it runs: the own engine on the CPU. */
  app: Figures | null;
  /** The app with ?engine=wllama (wllama's default build here: memory64 + JSPI). */
  appWllama: Figures | null;
  /** The app with ?build=compat (wllama's wasm32 + Asyncify build). */
  appCompat: Figures | null;
  bare: Figures | null;
  /** The own engine on a bare page (no app): what the app's layers cost is app / bareOwn. */
  bareOwn: Figures | null;
  native: Figures | null;
  /** The speed forecast (at the calibration's thread count) against the app's medians. */
  forecast?: ForecastCheck | null;
  /** Main-thread long tasks in the app while generating, over all runs. */
  longTasks: LongTasks | null;
  runs: { app: Figures[]; appWllama: Figures[]; appCompat: Figures[]; bare: Figures[]; bareOwn: Figures[]; native: Figures[] };
}

/** One point of the n_batch sweep: the app on one engine with ?batch=. */
export interface BatchRow {
  model: string;
  threads: number;
  engine: 'own' | 'wllama';
  batch: number;
  promptTps: number;
  ttftMs: number;
  promptTokens: number;
}

export interface CacheRow {
  model: string;
  bytes: number;
  /** App first visit: download from the localhost model server + IndexedDB write (+ hashing), ms. */
  downloadWriteMs: number | null;
  firstVisitMs: number | null;
  readMs: number;
  cacheLoadMs: number | null;
  bareFetchLoadMs: number | null;
  threads: number;
}

const fmt = (n: number | undefined | null, digits = 1): string => (n === undefined || n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? (a / b).toFixed(2) : '-');
const pad = (s: string, n: number): string => s.padStart(n);

/**
 * own/bown generation run by run: each app run over the bare run made just after it, on the same
 * minute's machine. Their median and range: with tokens/s moving by up to a quarter between identical
 * runs here, the range shows how far one configuration's ratio can be trusted.
 */
const pairRatios = (r: Row): number[] =>
  Array.from({ length: Math.min(r.runs.app.length, r.runs.bareOwn.length) }, (_, i) => r.runs.app[i].genTps / r.runs.bareOwn[i].genTps).filter((x) => Number.isFinite(x));

export function pairedGen(r: Row): { median: number; min: number; max: number } | null {
  const ratios = pairRatios(r);
  return ratios.length ? { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } : null;
}

/**
 * Every configuration's pairs together: one configuration's few pairs cannot show a 2% difference
 * when single runs move by 10-25%, all of them together can. Median and quartiles.
 */
export function pooledPairs(rows: Row[]): { median: number; q1: number; q3: number; pairs: number } | null {
  const all = rows.flatMap(pairRatios).sort((a, b) => a - b);
  if (!all.length) return null;
  const at = (q: number): number => all[Math.min(all.length - 1, Math.floor(q * all.length))];
  return { median: median(all), q1: at(0.25), q3: at(0.75), pairs: all.length };
}

const pairedCell = (p: ReturnType<typeof pairedGen>): string => (p ? `${p.median.toFixed(2)} ${p.min.toFixed(2)}-${p.max.toFixed(2)}` : '-');

export function printTable(rows: Row[]): void {
  const groups = ['app, own engine', 'bare own engine', 'app on wllama', 'app, wllama compat', 'bare wllama', 'native llama.cpp'];
  const sub = ['pp t/s', 'tg t/s', 'ttft ms', 'load ms', 'peak MB'];
  const w = [7, 7, 8, 8, 8];
  const groupWidth = w.reduce((a, b) => a + b + 1, 0);
  const head1 =
    `${'model'.padEnd(9)} ${pad('thr', 3)} | ` +
    groups.map((g) => g.padEnd(groupWidth - 1)).join('| ') +
    '| own/native  | own/bown    | own/bare    | appw/bare   | compat/bare | app long tasks | beside engine | outside br.  | own/bown tg paired';
  const head2 =
    `${''.padEnd(9)} ${''.padStart(3)} | ` +
    groups.map(() => sub.map((s, i) => pad(s, w[i])).join(' ') + ' ').join('| ') +
    '| pp    tg    | pp    tg    | pp    tg    | pp    tg    | pp    tg    | count  max ms  | own %  bown % | own %  bown % | median range';
  console.log(head1);
  console.log(head2);
  console.log('-'.repeat(head2.length));
  for (const r of rows) {
    const cells = (f: Figures | null): string =>
      [fmt(f?.promptTps), fmt(f?.genTps), fmt(f?.ttftMs, 0), fmt(f?.loadMs, 0), fmt(f ? f.peakBytes / 1e6 : null, 0)].map((s, i) => pad(s, w[i])).join(' ') + ' ';
    console.log(
      `${r.model.padEnd(9)} ${pad(String(r.threads), 3)} | ` +
        [r.app, r.bareOwn, r.appWllama, r.appCompat, r.bare, r.native].map(cells).join('| ') +
        `| ${ratio(r.app?.promptTps, r.native?.promptTps).padEnd(5)} ${ratio(r.app?.genTps, r.native?.genTps).padEnd(5)} ` +
        `| ${ratio(r.app?.promptTps, r.bareOwn?.promptTps).padEnd(5)} ${ratio(r.app?.genTps, r.bareOwn?.genTps).padEnd(5)} ` +
        `| ${ratio(r.app?.promptTps, r.bare?.promptTps).padEnd(5)} ${ratio(r.app?.genTps, r.bare?.genTps).padEnd(5)} ` +
        `| ${ratio(r.appWllama?.promptTps, r.bare?.promptTps).padEnd(5)} ${ratio(r.appWllama?.genTps, r.bare?.genTps).padEnd(5)} ` +
        `| ${ratio(r.appCompat?.promptTps, r.bare?.promptTps).padEnd(5)} ${ratio(r.appCompat?.genTps, r.bare?.genTps).padEnd(5)} ` +
        `| ${(r.longTasks ? `${pad(String(r.longTasks.count), 5)}  ${pad(fmt(r.longTasks.maxMs, 0), 6)}` : '-').padEnd(14)} ` +
        `| ${pad(fmt(r.app?.besidePct), 5)}  ${pad(fmt(r.bareOwn?.besidePct), 6)} ` +
        `| ${pad(fmt(r.app?.outsidePct), 5)}  ${pad(fmt(r.bareOwn?.outsidePct), 6)} ` +
        `| ${pairedCell(pairedGen(r))}`,
    );
  }
  const pooled = pooledPairs(rows);
  if (pooled) console.log(`own/bown generation, all rows' pairs together: median ${pooled.median.toFixed(3)}, quartiles ${pooled.q1.toFixed(2)}-${pooled.q3.toFixed(2)}, ${pooled.pairs} pairs (target >= 0.98)`);
  console.log(
    'pp = prompt processing, tg = generation (tokens/s); medians. own = the app as it runs (its own llama.cpp wasm32 engine);\n' +
      'bown = the same engine on a bare page (web/bench/bare-own.html: its C API in a plain worker, a tight greedy loop; target own/bown >= 0.98);\n' +
      'appw = the app with ?engine=wllama (default build: memory64 + JSPI); compat = with ?build=compat (wasm32 + Asyncify);\n' +
      'own/bare = the app as it chooses (engine, build, threads, batch) over bare wllama with its defaults. load: app = navigation to model ready from the IndexedDB cache;\n' +
      'bare = navigation to loaded (fetch from the localhost model server + wllama load); native = loadModel + createContext (mmap).\n' +
      'peak MB: app and bare = VmHWM of the Chromium renderer that hosts the page and its workers; native = VmHWM of its process.\n' +
      "beside engine: CPU of the browser's threads other than the engine's while the reply is generated, % of one core (medians; thread-cpu.ts):\n" +
      "what the page takes from llama.cpp's threads (own = the app, bown = the bare page). outside br.: CPU outside the browser in the\n" +
      'same time (the bench itself, the kernel, anything else): a disturbed run shows there. own/bown tg paired: each app run over the bare\n' +
      'run made right after it; median and range.',
  );
}

export interface Best {
  model: string;
  app: { threads: number; genTps: number } | null;
  appWllama: { threads: number; genTps: number } | null;
  appCompat: { threads: number; genTps: number } | null;
  bare: { threads: number; genTps: number } | null;
  native: { threads: number; genTps: number } | null;
  appOverNative: number | null;
  /** app / bare at the app's best thread count. */
  appOverBare: number | null;
  /** The own engine's best generation over bare wllama's best (issue 15: at least 1.8 on 134M Q8_0). */
  ownOverWllama: number | null;
}

export function bestThreads(rows: Row[]): Best[] {
  const models = [...new Set(rows.map((r) => r.model))];
  return models.map((model) => {
    const mine = rows.filter((r) => r.model === model);
    const best = (k: 'app' | 'appWllama' | 'appCompat' | 'bare' | 'native') => {
      const b = mine.filter((r) => r[k]).reduce<Row | null>((acc, r) => (!acc || r[k]!.genTps > acc[k]!.genTps ? r : acc), null);
      return b ? { threads: b.threads, genTps: b[k]!.genTps } : null;
    };
    const app = best('app');
    const appWllama = best('appWllama');
    const appCompat = best('appCompat');
    const bare = best('bare');
    const native = best('native');
    const bareAtApp = app ? mine.find((r) => r.threads === app.threads)?.bare : undefined;
    return {
      model,
      app,
      appWllama,
      appCompat,
      bare,
      native,
      appOverNative: app && native ? app.genTps / native.genTps : null,
      appOverBare: app && bareAtApp ? app.genTps / bareAtApp.genTps : null,
      ownOverWllama: app && bare ? app.genTps / bare.genTps : null,
    };
  });
}

export function printBest(best: Best[]): void {
  console.log('\nBest thread count per runtime (generation tok/s):');
  for (const b of best) {
    const s = (x: Best['app']) => (x ? `${x.threads} thr ${x.genTps.toFixed(1)}` : '-');
    console.log(
      `  ${b.model.padEnd(9)} own ${s(b.app)} | app on wllama ${s(b.appWllama)} | compat ${s(b.appCompat)} | bare ${s(b.bare)} | native ${s(b.native)}\n` +
        `            own(best)/native(best) ${fmt(b.appOverNative, 2)} (target >= 0.4) | own(best)/bare wllama(best) ${fmt(b.ownOverWllama, 2)} (target >= 1.8)`,
    );
  }
}

export function printCache(rows: CacheRow[]): void {
  console.log('\nModel cache (IndexedDB), app at the largest thread count:');
  console.log(
    `${'model'.padEnd(9)} ${pad('MB', 6)} ${pad('write MB/s', 11)} ${pad('read MB/s', 10)} ${pad('first visit ms', 15)} ${pad('cache load ms', 14)} ${pad('bare fetch+load ms', 19)}  verdict`,
  );
  for (const r of rows) {
    const mb = r.bytes / 1e6;
    const verdict =
      r.cacheLoadMs !== null && r.bareFetchLoadMs !== null
        ? r.cacheLoadMs <= r.bareFetchLoadMs * 1.05
          ? 'cache not slower than a localhost fetch'
          : `cache load ${((r.cacheLoadMs / r.bareFetchLoadMs - 1) * 100).toFixed(0)}% slower than a localhost fetch`
        : '-';
    console.log(
      `${r.model.padEnd(9)} ${pad(mb.toFixed(0), 6)} ${pad(r.downloadWriteMs ? fmt(mb / (r.downloadWriteMs / 1000)) : '-', 11)} ${pad(fmt(mb / (r.readMs / 1000)), 10)} ` +
        `${pad(fmt(r.firstVisitMs, 0), 15)} ${pad(fmt(r.cacheLoadMs, 0), 14)} ${pad(fmt(r.bareFetchLoadMs, 0), 19)}  ${verdict}`,
    );
  }
  console.log(
    'write = download from the localhost model server + hashing + IndexedDB write (model-status "downloading" to "loading");\n' +
      'read = every chunk read back from IndexedDB into memory in the page; first visit = navigation to ready incl. download;\n' +
      'cache load = navigation to ready from the cache (median); bare fetch+load = bare page, navigation to loaded, fetching from localhost\n' +
      '(the app always caches a URL model before loading it, so it cannot load straight from the URL itself).',
  );
}

export interface TurnRow {
  model: string;
  threads: number;
  turn: number;
  /** Prompt tokens llama.cpp evaluated for this turn, and those it reused from the KV cache. */
  evaluated: number;
  cached: number;
  ttftMs: number;
  promptTps: number;
  /** The turn's reply: generation speed, which attention over a longer history slows. */
  genTps: number;
  engine: string;
}

/**
 * One conversation, turn by turn: each turn should evaluate only its new tokens (the user message,
 * the template's wrapping and the previous reply's end), so time to first token stays flat.
 */
export function printTurns(rows: TurnRow[]): void {
  if (!rows.length) return;
  console.log(`\nMulti-turn conversation (${rows[0].model}, ${rows[0].threads} threads, ${rows[0].engine} engine):`);
  // What a turn would cost with no KV cache: its whole prompt at the first turn's prompt speed.
  const firstTps = rows[0].promptTps;
  const uncached = (r: TurnRow): number => ((r.evaluated + r.cached) / firstTps) * 1000;
  console.log(`${pad('turn', 4)} ${pad('evaluated', 10)} ${pad('reused (cache_n)', 17)} ${pad('TTFT ms', 8)} ${pad('TTFT ms/new token', 18)} ${pad('prompt tok/s', 13)} ${pad('no cache, est. ms', 18)} ${pad('gen tok/s', 9)}`);
  for (const r of rows) {
    console.log(
      `${pad(String(r.turn), 4)} ${pad(String(r.evaluated), 10)} ${pad(String(r.cached), 17)} ${pad(fmt(r.ttftMs, 0), 8)} ${pad(fmt(r.ttftMs / Math.max(1, r.evaluated), 1), 18)} ${pad(fmt(r.promptTps), 13)} ${pad(fmt(uncached(r), 0), 18)} ${pad(fmt(r.genTps), 9)}`,
    );
  }
  console.log(
    '  "evaluated" holds the previous reply when its text tokenizes to other ids than were generated (always, with random weights);\n' +
      '  "no cache" is the whole prompt at turn 1\'s prompt speed: what TTFT would be if the history were evaluated again.',
  );
  const later = rows.slice(1);
  const grows = later.length > 1 && later[later.length - 1].ttftMs > later[0].ttftMs * 1.5;
  const reused = later.every((r) => r.cached > 0);
  console.log(`  ${reused ? 'every later turn reused the history from the KV cache' : 'a later turn re-evaluated its history'}; TTFT ${grows ? 'grew with the history' : 'did not grow with the history'}`);
}

/** The n_batch sweep: prompt tok/s per engine and batch size, with each engine's fastest marked. */
export function printBatches(rows: BatchRow[]): { engine: string; batch: number; promptTps: number }[] {
  if (!rows.length) return [];
  const engines = [...new Set(rows.map((r) => r.engine))];
  const batches = [...new Set(rows.map((r) => r.batch))].sort((a, b) => a - b);
  console.log(`\nPrompt speed by n_batch (= n_ubatch), ${rows[0].model}, ${rows[0].threads} threads, ${rows[0].promptTokens}-token prompt (tok/s, median):`);
  console.log(`${'engine'.padEnd(8)} ${batches.map((b) => pad(String(b), 8)).join(' ')}   fastest`);
  const best = engines.map((engine) => {
    const mine = rows.filter((r) => r.engine === engine);
    const top = mine.reduce((a, r) => (r.promptTps > a.promptTps ? r : a), mine[0]);
    console.log(`${engine.padEnd(8)} ${batches.map((b) => pad(fmt(mine.find((r) => r.batch === b)?.promptTps), 8)).join(' ')}   ${top.batch}`);
    return { engine, batch: top.batch, promptTps: top.promptTps };
  });
  return best;
}

/** The catalogue's speed forecast for each bench model against what the app then measured. */
export function printForecasts(rows: Row[]): void {
  const withForecast = rows.filter((r) => r.forecast);
  if (!withForecast.length) return;
  console.log('\nSpeed forecast (the app\'s calibration, before download) against the app measured:');
  for (const r of withForecast) console.log(`  ${r.model.padEnd(9)} ${r.threads} thr: ${describeForecast(r.forecast!)}`);
}

export interface MemoryRow {
  model: string;
  /** The memory planner's prediction of the wasm heap (workers/lib/planner/memory-plan.ts), bytes. */
  planned: number;
  /** The own engine's WebAssembly.Memory once the model is loaded (median over the app's runs). */
  heap: number;
  /** Of that heap, what malloc had taken (median); null with an engine that does not say. */
  used: number | null;
  /** The Chromium renderer's peak resident memory (median). */
  rendererPeak: number;
}

/** The planner against the measured wasm heap (target within 10%), and the renderer's peak against the heap. */
export function printMemory(rows: MemoryRow[]): void {
  if (!rows.length) return;
  console.log('\nMemory, app on the own engine (medians): the planner\'s wasm heap against the measured one');
  console.log(`${'model'.padEnd(9)} ${pad('planner MB', 11)} ${pad('heap MB', 8)} ${pad('used MB', 8)} ${pad('planner/heap', 13)} ${pad('planner/used', 13)} ${pad('renderer peak MB', 17)} ${pad('peak/heap', 10)}`);
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(9)} ${pad(fmt(r.planned / 1e6, 0), 11)} ${pad(fmt(r.heap / 1e6, 0), 8)} ${pad(r.used ? fmt(r.used / 1e6, 0) : '-', 8)} ${pad(ratio(r.planned, r.heap), 13)} ${pad(r.used ? ratio(r.planned, r.used) : '-', 13)} ${pad(fmt(r.rendererPeak / 1e6, 0), 17)} ${pad(ratio(r.rendererPeak, r.heap), 10)}`,
    );
  }
  console.log('planner/heap target 0.90-1.10. The renderer also holds the page, Chromium\'s own code and the app\'s JavaScript (about 300 MB here), which a 134M model does not amortise.');
}
