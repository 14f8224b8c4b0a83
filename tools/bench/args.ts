/** Command-line flags of `npm run bench` (see README.md, "Benchmarks"). */
import { resolve } from 'node:path';

/**
 * app: the app as it runs (the own engine on the CPU); app-wllama: the app with ?engine=wllama (its
 * default build, memory64 + JSPI); app-compat: with ?build=compat (wllama's wasm32 + Asyncify build);
 * bare: bare wllama (web/bench/bare.html); bare-own: the own engine with no app (web/bench/bare-own.html).
 */
export type Runtime = 'app' | 'app-wllama' | 'app-compat' | 'bare' | 'bare-own' | 'native';
export type Section = Runtime | 'cache' | 'turns' | 'batch';
export const SECTIONS: readonly Section[] = ['app', 'app-wllama', 'app-compat', 'bare', 'bare-own', 'native', 'cache', 'turns', 'batch'];
/** The 134M benchmark models by weight type. */
export const BENCH_MODELS = { q8: 'Q8_0', q4: 'Q4_0', q4k: 'Q4_K', q3k: 'Q3_K', q2k: 'Q2_K' } as const;
export type BenchModelKey = keyof typeof BENCH_MODELS;

export interface BenchArgs {
  models: BenchModelKey[];
  threads: number[];
  /** n_batch sizes of the prompt-speed sweep. */
  batches: number[];
  runs: number;
  /** Generated tokens per run. */
  tokens: number;
  build: boolean;
  /** A built app folder to serve instead of building one (e.g. two engine versions, one after the other). */
  dist: string | null;
  scale: boolean;
  /** Scale model weight type. */
  scaleType: 'q3_k' | 'q2_k';
  only: Section[] | null;
}

const HELP = `npm run bench -- [flags]
  --models q8,q4,...    benchmark models (134M parameters): q8 (Q8_0), q4 (Q4_0), q4k, q3k, q2k (K-quants)
                                                                               default all five
  --threads 1,2         thread counts                                          default 1,2
  --runs N              runs per figure (the median is shown)                  default 3
  --tokens N            tokens generated per run                               default 128
  --no-build            use the last build (.cache/bench-dist, else dist/)
  --dist DIR            serve this built app folder (implies --no-build)
  --only app,app-wllama,app-compat,bare,bare-own,native,cache,turns,batch
                        run only these sections                                default all
  --batches 32,64,...   the n_batch sweep's sizes (section batch)              default 32,64,128,256,512
  --scale               only the Starling-7B-shaped scale run (about 3.1 GB, minutes)
  --scale-type q3_k|q2_k  weight type of the scale model                       default q3_k`;

function list(v: string | undefined, flag: string): string[] {
  if (!v || v.startsWith('--')) throw new Error(`${flag} needs a value\n\n${HELP}`);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function positive(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}\n\n${HELP}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = { models: Object.keys(BENCH_MODELS) as BenchModelKey[], batches: [32, 64, 128, 256, 512], threads: [1, 2], runs: 3, tokens: 128, build: true, dist: null, scale: false, scaleType: 'q3_k', only: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--models': {
        const ms = list(value(), name);
        for (const m of ms) if (!(m in BENCH_MODELS)) throw new Error(`unknown model ${m} (${Object.keys(BENCH_MODELS).join(', ')})`);
        a.models = ms as BenchModelKey[];
        break;
      }
      case '--threads':
        a.threads = list(value(), name).map((t) => positive(t, name));
        break;
      case '--batches':
        a.batches = list(value(), name).map((t) => positive(t, name));
        break;
      case '--runs':
        a.runs = positive(value(), name);
        break;
      case '--tokens':
        a.tokens = positive(value(), name);
        break;
      case '--no-build':
        a.build = false;
        break;
      case '--dist': {
        const d = value();
        if (!d || d.startsWith('--')) throw new Error(`--dist needs a folder\n\n${HELP}`);
        a.dist = resolve(d);
        a.build = false;
        break;
      }
      case '--scale':
        a.scale = true;
        break;
      case '--scale-type': {
        const t = value();
        if (t !== 'q3_k' && t !== 'q2_k') throw new Error(`--scale-type is q3_k or q2_k, got ${t}`);
        a.scaleType = t;
        break;
      }
      case '--only': {
        const s = list(value(), name);
        for (const x of s) if (!(SECTIONS as readonly string[]).includes(x)) throw new Error(`unknown section ${x} (${SECTIONS.join(', ')})`);
        a.only = s as Section[];
        break;
      }
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag}\n\n${HELP}`);
    }
  }
  return a;
}

export const wants = (a: BenchArgs, s: Section): boolean => !a.only || a.only.includes(s);
