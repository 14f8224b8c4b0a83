/**
 * Every message that crosses a worker boundary in the app, once. Requests carry an `id`; the worker
 * answers with events carrying the same `id`, ending with `done` or `error`. Errors cross as plain
 * objects and are rebuilt as Errors on the other side (see errors.ts).
 */
import type { AppErrorData } from './lib/errors';

/** Every worker posts this once when its script has started, so a failure to start can be told apart from a crash. */
export interface HelloEvent {
  id: 0;
  type: 'hello';
}

// ---------- engine worker (hosts wllama) ----------

export type Backend = 'cpu' | 'webgpu';
export type BackendChoice = Backend | 'auto';

export interface LoadConfig {
  /** Threads for the CPU backend; undefined lets the worker choose. */
  threads?: number;
  ctx: number;
  backend: BackendChoice;
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

export interface LoadedModelInfo {
  backend: Backend;
  /** Why this backend was used (e.g. why WebGPU was not). */
  backendReason: string;
  threads: number;
  ctx: number;
  nVocab: number;
  bosId: number;
  eosId: number;
  eotId: number;
  eogIds: number[];
  chatTemplate: string | null;
  metadata: Record<string, string>;
  loadMs: number;
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
  firstTokenMs: number | null;
}

export type EngineRequest =
  | { id: number; type: 'load'; files: Blob[]; config: LoadConfig }
  | { id: number; type: 'generate'; prompt: string; params: GenerateParams }
  | { id: number; type: 'cancel'; target: number }
  | { id: number; type: 'unload' };

export type EngineEvent =
  | { id: number; type: 'loaded'; info: LoadedModelInfo }
  | { id: number; type: 'token'; text: string }
  | { id: number; type: 'done'; result: GenerationResult }
  | { id: number; type: 'unloaded' }
  | { id: number; type: 'error'; error: AppErrorData }
  | HelloEvent;

// ---------- download worker ----------

export interface DownloadProgress {
  loaded: number;
  total: number;
}

export type DownloadRequest =
  | { id: number; type: 'fetch-model'; modelId: string; urls: string[]; names: string[] }
  | { id: number; type: 'cancel'; target: number };

export type DownloadEvent =
  | { id: number; type: 'progress'; progress: DownloadProgress }
  | { id: number; type: 'done'; bytes: number }
  | { id: number; type: 'error'; error: AppErrorData }
  | HelloEvent;
