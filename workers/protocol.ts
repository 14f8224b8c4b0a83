/**
 * Every message that crosses a worker boundary in the app, once. Requests carry an `id`; the worker
 * answers with events carrying the same `id`, ending with `done` or `error`. Errors cross as plain
 * objects and are rebuilt as Errors on the other side (see errors.ts).
 */
import type { AppErrorData } from './lib/errors';
import type { ModelSource } from './lib/model-source';
import type { PromptText } from './lib/templates/index';
import type { DownloadOptions } from './lib/download/defaults';
import type { DownloadProgress } from './lib/download/progress';
import type { GenerateRequestOptions, GenerationResult, LoadConfig, LoadedModelInfo } from './lib/engine/types';
import type { Tokenization } from './lib/tokenizer/prompt';

// ---------- transitional: remove once every importer uses the home modules ----------
// The domain types live in workers/lib; these re-exports keep older importers compiling meanwhile.
export type { Backend, BackendChoice } from './lib/engine/backend';
export type { ModelProfile } from './lib/engine/model-profile';
export type { ThreadProbeResult } from './lib/engine/threads';
export type {
  GenerateParams,
  GenerateRequestOptions,
  GenerationResult,
  GenerationTimings,
  LoadConfig,
  LoadedModelInfo,
} from './lib/engine/types';
export type { EmbeddedTemplateReport } from './lib/templates/compare';
export type { TemplateCheck } from './lib/tokenizer/card-check';
export type { Tokenization } from './lib/tokenizer/prompt';
export type { DownloadOptions } from './lib/download/defaults';
export type { DownloadPhase, DownloadProgress } from './lib/download/progress';
// ---------- end transitional ----------

/** Every worker posts this once when its script has started, so a failure to start can be told apart from a crash. */
export interface HelloEvent {
  id: 0;
  type: 'hello';
}

// ---------- engine worker (hosts wllama) ----------

export type EngineRequest =
  | { id: number; type: 'load'; files: Blob[]; config: LoadConfig }
  | { id: number; type: 'generate'; prompt: PromptText; params: GenerateRequestOptions }
  /** limit: answer context-full instead of the tokens when the prompt has at least this many. */
  | { id: number; type: 'tokenize'; prompt: PromptText; limit?: number }
  | { id: number; type: 'cancel'; target: number }
  | { id: number; type: 'unload' }
  /** Heartbeat: answered with `pong` by the worker's own event loop (wllama's work runs in its nested worker). */
  | { id: number; type: 'ping' };

export type EngineEvent =
  | { id: number; type: 'loaded'; info: LoadedModelInfo }
  | { id: number; type: 'token'; text: string }
  | { id: number; type: 'tokens'; tokenization: Tokenization }
  | { id: number; type: 'done'; result: GenerationResult }
  | { id: number; type: 'unloaded' }
  | { id: number; type: 'pong' }
  | { id: number; type: 'error'; error: AppErrorData }
  | HelloEvent;

// ---------- download worker ----------

export type DownloadRequest =
  | { id: number; type: 'fetch-model'; source: ModelSource; options: DownloadOptions }
  | { id: number; type: 'import-files'; files: File[]; options: DownloadOptions }
  /** Hash a cached model's stored bytes against SHA-256s the user pins (done, or an integrity error). */
  | { id: number; type: 'pin-sha256'; modelId: string; sha256: string[] }
  | { id: number; type: 'cancel'; target: number };

export type DownloadEvent =
  | { id: number; type: 'progress'; progress: DownloadProgress }
  | { id: number; type: 'done'; modelId: string; bytes: number }
  | { id: number; type: 'error'; error: AppErrorData }
  | HelloEvent;
