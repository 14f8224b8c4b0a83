/**
 * Every message that crosses a worker boundary in the app, once. Requests carry an `id`; the worker
 * answers with events carrying the same `id`, ending with `done` or `error`. Errors cross as plain
 * objects and are rebuilt as Errors on the other side (see errors.ts).
 */
import type { AppErrorData } from './lib/errors';
import type { ModelSource } from './lib/model-source';
import type { ModelRecord } from './lib/cache/schema';
import type { PromptText, TemplateId } from './lib/templates/index';

/** Every worker posts this once when its script has started, so a failure to start can be told apart from a crash. */
export interface HelloEvent {
  id: 0;
  type: 'hello';
}

// ---------- engine worker (hosts wllama) ----------

export type Backend = 'cpu' | 'webgpu';
export type BackendChoice = Backend | 'auto';

export interface LoadConfig {
  /** Threads for the CPU backend; undefined lets the worker measure (or use rememberedThreads). */
  threads?: number;
  /** The count an earlier load measured fastest for this model on this machine. */
  rememberedThreads?: number;
  ctx: number;
  backend: BackendChoice;
  /** Layers offloaded to the GPU on the WebGPU backend; undefined means all. */
  gpuLayers?: number;
}

/** One thread count's short measured run at load. */
export interface ThreadProbeResult {
  threads: number;
  genTps: number;
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

/** The model card's token-id asserts, run with the app's tokenizer on the loaded vocabulary. */
export interface TemplateCheck {
  status: 'pass' | 'fail' | 'n/a';
  passed: number;
  total: number;
  results: { name: string; text: string; expected: number[]; actual: number[]; pass: boolean }[];
}

/** The GGUF's embedded chat template, rendered on a sample conversation and compared with the app's. */
export interface EmbeddedTemplateReport {
  template: string | null;
  app: string;
  gguf: string | null;
  matches: boolean | null;
  /** The embedded template writes the older "GPT4 User:" form, not Starling's "GPT4 Correct User:". */
  oldOpenChat: boolean;
  error: string | null;
}

/** What the app learned from the model's vocabulary and metadata at load. */
export interface ModelProfile {
  family: 'openchat' | 'starchat' | null;
  defaultTemplate: TemplateId;
  templateCheck: TemplateCheck;
  embedded: EmbeddedTemplateReport;
  /** Texts of control and user-defined tokens, to highlight in prompts. */
  specialTokens: string[];
  bosText: string;
  eosText: string;
  /** The GGUF did not mark the end-of-turn token as end-of-generation; the app told llama.cpp to. */
  eotOverride: string | null;
}

/** The app's own tokenization of a prompt. */
export interface Tokenization {
  /** The prompt text as sent to the engine (special-token text inside messages broken, see tokenizer/prompt.ts). */
  text: string;
  ids: number[];
  /** Vocabulary text of each token (e.g. "▁Hello", "<0xF0>", "<|end_of_turn|>"). */
  pieces: string[];
  /** The ids decoded as llama_detokenize(special tokens written) does: what llama-server reports as the prompt. */
  detokenized: string;
  /** [start, end) of each part of the prompt text that became a special token (the template's markers). */
  specialSpans: [number, number][];
  /** Special-token texts found inside message text, and where their broken (plain text) form is in `text`. */
  neutralized: { text: string; start: number; end: number }[];
}

export interface LoadedModelInfo {
  backend: Backend;
  /** Why this backend was used (e.g. why WebGPU was not). */
  backendReason: string;
  /** WebGPU was chosen but failed to load the model, so the CPU took over. */
  backendFellBack: boolean;
  gpuLayers: number | null;
  threads: number;
  /** How the thread count was chosen, and the measurements when it was measured now. */
  threadsSource: 'requested' | 'measured' | 'remembered' | 'prior' | 'single';
  threadsNote: string;
  threadProbes: ThreadProbeResult[];
  ctx: number;
  nVocab: number;
  bosId: number;
  eosId: number;
  eotId: number;
  eogIds: number[];
  chatTemplate: string | null;
  metadata: Record<string, string>;
  loadMs: number;
  profile: ModelProfile;
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

export type DownloadPhase = 'waiting' | 'probing' | 'downloading' | 'verifying' | 'repairing';

export interface DownloadProgress {
  phase: DownloadPhase;
  /** Bytes stored so far (all files), and the total when known (0 while unknown). */
  loaded: number;
  total: number;
  files: { name: string; loaded: number; total: number }[];
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Bytes that were already in the cache when this download (re)started. */
  resumedFrom: number;
}

export interface DownloadOptions {
  /** Chunk fetches at a time. */
  parallel: number;
  chunkBytes: number;
  label?: string;
}

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
