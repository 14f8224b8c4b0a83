/**
 * `npm run bench`: the app (engine in its worker) against bare wllama on the main thread and native
 * llama.cpp, on the generated 134M-parameter benchmark models (Q8_0, Q4_0, Q4_K, Q3_K, Q2_K), at each
 * thread count, with wllama's default and compat builds; an n_batch sweep; a multi-turn run; the
 * model cache's throughput; and with `--scale`, a Starling-7B-shaped model in gguf-split shards.
 * Flags: `npm run bench -- --help`; what each figure means: README.md, "Benchmarks".
 * Prints one table and writes everything to bench-results/<timestamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, wants } from './bench/args';
import { bestThreads, printBatches, printBest, printForecasts, printCache, printMemory, printTable, printTurns } from './bench/report';
import { nativeAvailable } from './bench/native';
import { runScale } from './bench/scale';
import { buildApp, distDir, ROOT, useDist } from './bench/servers';
import { CTX, runSuite } from './bench/suite';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(
    `Benchmark on ${cpus().length} cores, load average ${load()}` +
      (args.scale ? '; scale run.' : `; runs ${args.runs}, ${args.tokens} generated tokens, ctx ${CTX}.`),
  );
  const needBrowser = args.scale || wants(args, 'app') || wants(args, 'app-wllama') || wants(args, 'app-compat') || wants(args, 'bare') || wants(args, 'bare-own') || wants(args, 'cache') || wants(args, 'turns') || wants(args, 'batch');
  // The native reference is part of every table: install it here rather than skip its columns.
  if ((args.scale || wants(args, 'native')) && !nativeAvailable()) {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/ensure-native.ts')], { cwd: ROOT, stdio: 'inherit' });
  }
  if (args.dist) useDist(args.dist);
  if (args.build && needBrowser) buildApp();
  if (needBrowser) console.log(`Serving the app from ${distDir()}`);

  const out: Record<string, unknown> = { started: started.toISOString(), args, cores: cpus().length, loadAverageStart: loadavg() };
  if (args.scale) {
    out.scale = await runScale(args);
    console.log(`\nLoad average at the end: ${load()}`);
  } else {
    const suite = await runSuite(args);
    console.log(`\nLoad average at the end: ${load()}\n`);
    if (suite.rows.some((r) => r.app || r.appWllama || r.appCompat || r.bare || r.bareOwn || r.native)) {
      printTable(suite.rows);
      const best = bestThreads(suite.rows);
      printBest(best);
      printForecasts(suite.rows);
      out.best = best;
    }
    if (suite.cache.length) printCache(suite.cache);
    printMemory(suite.memory);
    printTurns(suite.turns);
    out.bestBatch = printBatches(suite.batches);
    Object.assign(out, suite);
  }
  out.loadAverageEnd = loadavg();
  const dir = join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}${args.scale ? '-scale' : ''}.json`);
  writeFileSync(file, JSON.stringify(out, null, 1));
  console.log(`\nResults: ${file}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
