/**
 * Runs in its own process (so its memory is its own): loads a GGUF into native llama.cpp
 * (node-llama-cpp's prebuilt CPU build in tests/native) with a thread count, evaluates the prompt and
 * generates greedily, and prints one JSON line with the timings and the process's peak RSS (VmHWM).
 *
 *   node --import tsx tools/bench/native-child.ts <model.gguf> <threads> <ctx> <tokens> <prompt>
 *
 * Prompt speed = prompt tokens / time to the first generated token; generation speed = (n - 1) /
 * (time from the first to the last generated token), as llama-server's timings count them.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../tests/native/node_modules/node-llama-cpp/dist/index.js', import.meta.url));

interface Sequence {
  evaluate(tokens: number[], options: { temperature: number }): AsyncGenerator<number, void, void>;
}
interface Context {
  getSequence(): Sequence;
  dispose(): Promise<void>;
}
interface Model {
  tokens: { bos: number | null };
  tokenize(text: string, specialTokens: boolean): number[];
  createContext(o: { contextSize: number; threads: { ideal: number; min: number }; batchSize: number }): Promise<Context>;
  dispose(): Promise<void>;
}
interface NodeLlamaCpp {
  getLlama(o: { build: 'never'; skipDownload: boolean; gpu: false; logLevel: string; maxThreads: number }): Promise<{ loadModel(o: { modelPath: string }): Promise<Model> }>;
}

const [path, threadsArg, ctxArg, tokensArg, prompt] = process.argv.slice(2);
const threads = Number(threadsArg);
const nTokens = Number(tokensArg);

const m = (await import(pathToFileURL(ENTRY).href)) as NodeLlamaCpp;
const llama = await m.getLlama({ build: 'never', skipDownload: true, gpu: false, logLevel: 'error', maxThreads: threads });
const t0 = performance.now();
const model = await llama.loadModel({ modelPath: path });
const context = await model.createContext({ contextSize: Number(ctxArg), threads: { ideal: threads, min: threads }, batchSize: 512 });
const loadMs = performance.now() - t0;
const tokens = [...(model.tokens.bos === null ? [] : [model.tokens.bos]), ...model.tokenize(prompt, true)];

const seq = context.getSequence();
const g0 = performance.now();
let first = 0;
let last = 0;
let n = 0;
for await (const token of seq.evaluate(tokens, { temperature: 0 })) {
  void token;
  last = performance.now();
  if (++n === 1) first = last;
  if (n >= nTokens) break;
}
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
console.log(
  JSON.stringify({
    loadMs,
    promptTokens: tokens.length,
    genTokens: n,
    ttftMs: first - g0,
    promptTps: tokens.length / ((first - g0) / 1000),
    genTps: n > 1 ? (n - 1) / ((last - first) / 1000) : 0,
    peakRss: hwm ? Number(hwm[1]) * 1024 : 0,
  }),
);
await context.dispose();
await model.dispose();
process.exit(0);
