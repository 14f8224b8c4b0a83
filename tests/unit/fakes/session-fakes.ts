/**
 * Stand-ins for the two workers, for unit tests of the session and its states: a scripted engine
 * (replies piece by piece, can hang, crash or fail) and an in-memory download worker. Only logic is
 * tested with them; the real workers are tested in the browser (tests/e2e).
 */
import { AppError } from '../../../workers/lib/errors';
import type { ModelRecord } from '../../../workers/lib/cache/schema';
import type { DownloadsApi, EnsuredModel, EnsureHooks, ModelInput } from '../../../web/src/lib/engine/download-client';
import type { EngineApi } from '../../../web/src/lib/engine/engine-client';
import type { GenerationResult, LoadConfig, LoadedModelInfo } from '../../../workers/lib/engine/types';
import type { Tokenization } from '../../../workers/lib/tokenizer/prompt';
import { refuseOverContext, type ContextFit } from '../../../workers/lib/engine/context-limit';
import type { PromptText } from '../../../workers/lib/templates/index';
import type { SessionDeps } from '../../../web/src/lib/session.svelte';

export function fakeInfo(over: Partial<LoadedModelInfo> = {}): LoadedModelInfo {
  return {
    engine: 'wllama',
    engineReason: 'test',
    backend: 'cpu',
    backendReason: 'test',
    backendFellBack: false,
    build: 'default',
    buildReason: 'test',
    gpuLayers: null,
    threads: 1,
    threadsSource: 'requested',
    threadsNote: '',
    threadProbes: [],
    ctx: 4096,
    batch: 512,
    batchReason: 'test',
    nVocab: 10,
    bosId: 1,
    eosId: 2,
    eotId: 3,
    eogIds: [2, 3],
    chatTemplate: null,
    metadata: {},
    loadMs: 1,
    modelBytes: 10,
    wasmHeapBytes: null,
    wasmHeapUsedBytes: null,
    loadPhases: [],
    profile: {
      family: 'openchat',
      defaultTemplate: 'openchat',
      templateCheck: { status: 'n/a', passed: 0, total: 0, results: [] },
      embedded: { template: null, app: '', gguf: null, matches: null, oldOpenChat: false, error: null },
      specialTokens: [],
      bosText: '<s>',
      eosText: '</s>',
      eotOverride: null,
    },
    ...over,
  };
}

const tokenize = (prompt: PromptText): Tokenization => {
  // One token per character: enough for the context arithmetic the session does.
  const ids = [...prompt.text].map((c) => c.charCodeAt(0));
  return { text: prompt.text, ids, pieces: [...prompt.text], detokenized: prompt.text, specialSpans: [], neutralized: [] };
};

/** `everyMs`: each piece comes that long after the one before (real or fake timers), the first included. */
export type Behaviour =
  | { kind: 'reply'; pieces: string[]; everyMs?: number }
  | { kind: 'hang' }
  | { kind: 'crash'; after: string[] }
  | { kind: 'webgpu-fail' };

/** A scripted engine: each generate follows the next behaviour (the last one repeats). */
export class FakeEngine implements EngineApi {
  loads: { files: Blob[]; config: LoadConfig }[] = [];
  generations = 0;
  terminated = false;
  info: LoadedModelInfo = fakeInfo();
  /** Resolves each load; a test may hold one to supersede it, or report steps through `onStep`. */
  loadGate: ((onStep: (step: string) => void) => Promise<void>) | null = null;
  loadError: AppError | null = null;
  private readonly script: Behaviour[];

  constructor(script: Behaviour[] = [{ kind: 'reply', pieces: ['Hello', ' there'] }]) {
    this.script = script;
  }

  async load(files: Blob[], config: LoadConfig, onStep?: (step: string) => void): Promise<LoadedModelInfo> {
    this.loads.push({ files, config });
    if (this.loadGate) await this.loadGate(onStep ?? (() => {}));
    if (this.loadError) throw this.loadError;
    return { ...this.info, backend: config.backend === 'webgpu' ? 'webgpu' : 'cpu' };
  }

  async tokenize(prompt: PromptText, fit?: ContextFit): Promise<Tokenization> {
    const t = tokenize(prompt);
    if (fit) refuseOverContext(t.ids.length, fit);
    return t;
  }

  async generate(prompt: PromptText, _params: unknown, onText: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    const b = this.script[Math.min(this.generations++, this.script.length - 1)];
    const result = (text: string, finishReason: GenerationResult['finishReason']): GenerationResult => ({
      text,
      finishReason,
      timings: null,
      enginePromptTokens: tokenize(prompt).ids.length,
      enginePrompt: prompt.text,
      firstTokenMs: 1,
    });
    if (b.kind === 'webgpu-fail') throw new AppError('webgpu-failed', 'WebGPU lost its device.');
    if (b.kind === 'hang') return new Promise(() => {}); // never answers, even to a cancel: a dead worker
    const pieces = b.kind === 'reply' ? b.pieces : b.after;
    let text = '';
    const every = b.kind === 'reply' ? b.everyMs : undefined;
    for (const p of pieces) {
      await (every === undefined ? Promise.resolve() : new Promise((r) => setTimeout(r, every)));
      if (signal?.aborted) return result(text, 'cancelled');
      text += p;
      onText(p);
    }
    if (b.kind === 'crash') throw new AppError('worker-crashed', 'The inference worker stopped unexpectedly (test).');
    return result(text, 'stop');
  }

  terminate(): void {
    this.terminated = true;
  }
}

/** An in-memory download worker: models "download" instantly from a table of sizes. */
export class FakeDownloads implements DownloadsApi {
  records = new Map<string, ModelRecord>();
  deleted: string[] = [];
  ensured: string[] = [];

  private record(id: string, complete: boolean): ModelRecord {
    return {
      schema: 1,
      id,
      label: id.split('/').pop() ?? id,
      origin: id.startsWith('local:') ? 'local' : 'url',
      files: [{ name: 'model.gguf', url: id, size: 10, chunkBytes: 10, chunks: 1, rangeSupported: true }],
      bytes: 10,
      complete,
      createdAt: 0,
      updatedAt: 0,
    };
  }

  async ensure(input: ModelInput, _options: unknown, hooks: EnsureHooks): Promise<EnsuredModel> {
    const id = input.kind === 'url' ? input.source.id : `local:${input.files[0].name}`;
    this.ensured.push(id);
    const cached = this.records.get(id)?.complete ?? false;
    if (!cached) {
      await hooks.beforeDownload?.(input);
      hooks.onProgress({ phase: 'downloading', loaded: 10, total: 10, files: [], bytesPerSecond: 0, etaSeconds: null, resumedFrom: 0 });
      this.records.set(id, this.record(id, true));
    }
    return { modelId: id, files: [new Blob(['gguf'])] as File[], fromCache: cached };
  }

  async openCached(modelId: string): Promise<EnsuredModel> {
    if (!this.records.get(modelId)?.complete) throw new AppError('storage', 'not cached');
    return { modelId, files: [new Blob(['gguf'])] as File[], fromCache: true };
  }

  async fetchModel(source: { id: string }): Promise<Extract<import('../../../workers/protocol').DownloadEvent, { type: 'done' }>> {
    this.records.set(source.id, this.record(source.id, true));
    return { id: 1, type: 'done', modelId: source.id, bytes: 10 };
  }

  async lookup(id: string): Promise<ModelRecord | null> {
    return this.records.get(id) ?? null;
  }

  async list(): Promise<ModelRecord[]> {
    return [...this.records.values()];
  }

  async delete(id: string): Promise<void> {
    this.deleted.push(id);
    this.records.delete(id);
  }

  async clear(): Promise<void> {
    this.records.clear();
  }

  async markLoadError(id: string, reason: string | null): Promise<void> {
    const r = this.records.get(id);
    if (r) this.records.set(id, { ...r, ...(reason ? { loadError: reason } : {}) });
  }

  async pinSha256(modelId: string): Promise<Extract<import('../../../workers/protocol').DownloadEvent, { type: 'done' }>> {
    return { id: 1, type: 'done', modelId, bytes: 10 };
  }
}

export function fakeDeps(engines: FakeEngine[], downloads = new FakeDownloads()): Omit<SessionDeps, 'downloads'> & { downloads: () => FakeDownloads; engines: FakeEngine[] } {
  const made: FakeEngine[] = [];
  return {
    engine: () => {
      const e = engines[made.length] ?? new FakeEngine();
      made.push(e);
      return e;
    },
    engines: made,
    downloads: () => downloads,
    cacheUsable: async () => true,
    baseUrl: () => 'http://127.0.0.1/app/',
  };
}
