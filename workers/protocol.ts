/**
 * Every message that crosses a worker boundary in the app, once. Requests carry an `id`; the worker
 * answers with events carrying the same `id`, ending with `done` or `error`. Errors cross as plain
 * objects and are rebuilt as Errors on the other side (see errors.ts).
 */
import type { AppErrorData } from './lib/errors';
import type { ModelSource } from './lib/model-source';
import type { ModelRecord } from './lib/cache/schema';
import type { PromptText } from './lib/templates/index';
import type { DownloadOptions } from './lib/download/defaults';
import type { DownloadProgress } from './lib/download/progress';
import type { GenerateRequestOptions, GenerationResult, LoadConfig, LoadedModelInfo } from './lib/engine/types';
import type { Tokenization } from './lib/tokenizer/prompt';
import type { ContextFit } from './lib/engine/context-limit';
import type { SpeedCalibration } from './lib/planner/speed-forecast';

/** Every worker posts this once when its script has started, so a failure to start can be told apart from a crash. */
export interface HelloEvent {
  id: 0;
  type: 'hello';
}

// ---------- engine worker (hosts wllama) ----------

export type EngineRequest =
  | { id: number; type: 'load'; files: Blob[]; config: LoadConfig }
  | { id: number; type: 'generate'; prompt: PromptText; params: GenerateRequestOptions }
  /** fit: answer context-full instead of the tokens when the prompt leaves less than `reserve` of `ctx`. */
  | { id: number; type: 'tokenize'; prompt: PromptText; fit?: ContextFit }
  | { id: number; type: 'cancel'; target: number }
  | { id: number; type: 'unload' }
  /** The speed forecast's calibration on the own engine, in an instance of its own (planner/speed-forecast.ts). */
  | { id: number; type: 'calibrate'; threads: number; browser: string }
  /** Heartbeat: answered with `pong` by the worker's own event loop (wllama's work runs in its nested worker). */
  | { id: number; type: 'ping' };

export type EngineEvent =
  | { id: number; type: 'loaded'; info: LoadedModelInfo }
  /** A load moved on: a step of its own, or a llama.cpp log line (throttled); the page's watchdog counts silence between them. */
  | { id: number; type: 'progress'; step: string }
  /** The reply's next pieces (one per token), all those produced since the worker last returned to its event loop. */
  | { id: number; type: 'token'; pieces: string[] }
  | { id: number; type: 'tokens'; tokenization: Tokenization }
  | { id: number; type: 'done'; result: GenerationResult }
  | { id: number; type: 'unloaded' }
  | { id: number; type: 'calibrated'; calibration: SpeedCalibration }
  | { id: number; type: 'pong' }
  | { id: number; type: 'error'; error: AppErrorData }
  | HelloEvent
  | BusyEvent;

/**
 * The worker is about to block its event loop (the own engine's model load, a prompt batch): the
 * heartbeat waits for its next message instead of counting the silence; the watchdogs still do.
 */
export interface BusyEvent {
  id: 0;
  type: 'busy';
}

// ---------- download worker ----------

/**
 * The download worker is the only owner of the model cache: the page lists, deletes and opens cached
 * models through it, so a delete never races a chunk write of a download it is stopping.
 */
export type DownloadRequest =
  /** Download into the cache without opening ("save for offline"): `done`. */
  | { id: number; type: 'fetch-model'; source: ModelSource; options: DownloadOptions }
  /** The model's files for the engine, downloading them first unless the cache has them complete: `files`. */
  | { id: number; type: 'ensure'; source: ModelSource; options: DownloadOptions }
  /** Picked files copied into the cache, then opened from it: `files`. */
  | { id: number; type: 'import-files'; files: File[]; options: DownloadOptions }
  /** A complete cached model's files (imported ones included): `files`. */
  | { id: number; type: 'open-cached'; modelId: string }
  /** One model's cache record, or null: `record`. */
  | { id: number; type: 'lookup'; modelId: string }
  /** Every cache record: `records`. */
  | { id: number; type: 'list' }
  /** Stops every job on the model, waits until they have stopped, then deletes it: `ok`. */
  | { id: number; type: 'delete'; modelId: string }
  /** The same for every model: `ok`. */
  | { id: number; type: 'clear' }
  /** Records (or clears, with null) why llama.cpp refused a cached model: `ok`. */
  | { id: number; type: 'mark-load-error'; modelId: string; reason: string | null }
  /** Hash a cached model's stored bytes against SHA-256s the user pins (done, or an integrity error). */
  | { id: number; type: 'pin-sha256'; modelId: string; sha256: string[] }
  | { id: number; type: 'cancel'; target: number };

export type DownloadEvent =
  | { id: number; type: 'progress'; progress: DownloadProgress }
  | { id: number; type: 'done'; modelId: string; bytes: number }
  /** Disk-backed Files assembled from the cached chunks (structured-cloned, not copied). */
  | { id: number; type: 'files'; modelId: string; files: File[]; fromCache: boolean }
  | { id: number; type: 'record'; record: ModelRecord | null }
  | { id: number; type: 'records'; records: ModelRecord[] }
  | { id: number; type: 'ok' }
  | { id: number; type: 'error'; error: AppErrorData }
  | HelloEvent;

/** The download worker's answers that end a request. */
export const DOWNLOAD_TERMINAL = ['done', 'files', 'record', 'records', 'ok'] as const;
