/**
 * Which engine runs a model: the project's own llama.cpp build (own/own-host.ts) on the CPU, where the
 * bench measured it about twice as fast as wllama (single-threaded where the page has no
 * SharedArrayBuffer); wllama for WebGPU, and wherever the own engine cannot run (not built).
 */
import type { Backend } from './backend';
import { isFileFault } from './load-log';
import { notBuiltArch, OWN_ARCHS } from './own/archs';

export type EngineName = 'own' | 'wllama';
export type EngineChoice = EngineName | 'auto';

export interface EngineFacts {
  /** The build has the own engine (tools/build-engine.ts ran with emcc). */
  ownBuilt: boolean;
  /** The backend the load will use (backend.ts). */
  backend: Backend;
}

export function chooseEngine(choice: EngineChoice, f: EngineFacts): { engine: EngineName; reason: string } {
  if (choice === 'wllama') return { engine: 'wllama', reason: 'wllama was requested (?engine=wllama).' };
  if (!f.ownBuilt) return { engine: 'wllama', reason: 'wllama: this build of the app has no own engine (it was built without emcc).' };
  if (choice === 'own') return { engine: 'own', reason: 'the own engine was requested (?engine=own).' };
  if (f.backend === 'webgpu') return { engine: 'wllama', reason: "wllama: it runs llama.cpp's WebGPU backend; the own engine is CPU only." };
  return { engine: 'own', reason: "the own engine: on the CPU it generates about twice as fast as wllama (npm run bench)." };
}

/**
 * Whether wllama retries a model the own engine failed to load: one lost to memory (wasm32's 4 GB),
 * or of an architecture the own build leaves out. A fault of the file itself fails on both, so it stays.
 */
export function wllamaRetries(kind: string, message: string): boolean {
  return kind === 'load-failed' && (notBuiltArch(message) !== null || !isFileFault(message));
}

/** A failed own-engine start, or a load it lost to memory (wasm32 has 4 GB; wllama's default build more): wllama takes over. */
export function fallbackReason(why: string): string {
  const arch = notBuiltArch(why);
  if (arch !== null) return `wllama: the own engine is built for the ${Object.keys(OWN_ARCHS).join(' and ')} architectures; this model is ${arch}.`;
  return `wllama: the own engine could not run this model here (${why}).`;
}
