/**
 * The engine's load and generation types: what a load is asked for and reports, and what a
 * generation is sent and returns. The engine worker's messages (protocol.ts) carry them.
 */
import type { Backend, BackendChoice } from './backend';
import type { ModelProfile } from './model-profile';
import type { ThreadProbeResult } from './threads';
import type { WasmBuild, WasmBuildChoice } from './wasm-build';
import type { EngineChoice, EngineName } from './engine-choice';

export interface LoadConfig {
  /** Threads for the CPU backend; undefined lets the worker measure (or use rememberedThreads). */
  threads?: number;
  /** The count an earlier load measured fastest for this model on this machine. */
  rememberedThreads?: number;
  ctx: number;
  /** Prompt tokens per llama_decode (n_batch and n_ubatch alike); undefined: the engine's default. */
  batch?: number;
  backend: BackendChoice;
  /** Layers offloaded to the GPU on the WebGPU backend; undefined means all. */
  gpuLayers?: number;
  /** Which llama.cpp wasm build (wasm-build.ts); undefined: chosen by the browser's features. */
  build?: WasmBuildChoice;
  /** Which engine runs on the CPU (engine-choice.ts); undefined: chosen here. */
  engine?: EngineChoice;
}

/** Sampling and length parameters, named and ranged like the hosted starling-lm-7b-beta API. */
export interface GenerateParams {
  max_tokens: number;
  temperature: number;
  top_p: number;
  top_k: number;
  seed?: number;
  repetition_penalty: number;
  frequency_penalty: number;
  presence_penalty: number;
}

/** What the app sends besides the prompt: sampling parameters and the template's stop strings. */
export interface GenerateRequestOptions extends GenerateParams {
  stop: string[];
}

/** What a load reports: how the model runs here and what the app learned from it. */
export interface LoadedModelInfo {
  /** The engine that runs the model, and why that one (engine-choice.ts). */
  engine: EngineName;
  engineReason: string;
  backend: Backend;
  /** Why this backend was used (e.g. why WebGPU was not). */
  backendReason: string;
  /** WebGPU was chosen but failed to load the model, so the CPU took over. */
  backendFellBack: boolean;
  /** The llama.cpp wasm build that runs, and why (wasm-build.ts). */
  build: WasmBuild;
  buildReason: string;
  gpuLayers: number | null;
  threads: number;
  /** How the thread count was chosen, and the measurements when it was measured now. */
  threadsSource: 'requested' | 'measured' | 'remembered' | 'prior' | 'single';
  threadsNote: string;
  threadProbes: ThreadProbeResult[];
  ctx: number;
  /** Prompt tokens per llama_decode, and why that many. */
  batch: number;
  batchReason: string;
  nVocab: number;
  bosId: number;
  eosId: number;
  eotId: number;
  eogIds: number[];
  chatTemplate: string | null;
  metadata: Record<string, string>;
  loadMs: number;
  /** Bytes of the model's files (the watchdogs' limits grow with it). */
  modelBytes: number;
  /** The own engine's WebAssembly.Memory once loaded (it only grows, so this is its peak so far); null on wllama, whose memory is out of reach. */
  wasmHeapBytes: number | null;
  /** Of that Memory, the bytes malloc has taken (the rest is the growth's headroom); null on wllama. */
  wasmHeapUsedBytes: number | null;
  /** Where the load's time went, step by step (the own engine adds its reads of the cached files). */
  loadPhases: LoadPhase[];
  profile: ModelProfile;
}

/** One step of a load and its wall time; `bytes`: what the step read from the model's files. */
export interface LoadPhase {
  step: string;
  ms: number;
  bytes?: number;
}

export interface GenerationTimings {
  promptTokens: number;
  cachedTokens: number;
  promptMs: number;
  promptPerSecond: number;
  predictedTokens: number;
  predictedMs: number;
  predictedPerSecond: number;
}

export interface GenerationResult {
  text: string;
  finishReason: 'stop' | 'length' | 'cancelled';
  timings: GenerationTimings | null;
  /** The engine's own count of prompt tokens (usage.prompt_tokens). */
  enginePromptTokens: number | null;
  /** The prompt as the engine detokenized it (llama-server's verbose `prompt`). */
  enginePrompt: string | null;
  firstTokenMs: number | null;
}
