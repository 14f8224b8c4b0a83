/**
 * The session controller: one per page. It creates and owns the model, chat, settings, storage and
 * offline-download states, and decides everything that spans them: opening models (and keeping the
 * choice in the address), sending and stopping, what an engine crash or a failed WebGPU run does,
 * which template a newly loaded model starts with, and when the storage list is refreshed.
 *
 * Components get it from Svelte context (session-context.ts); other consumers (the widget's
 * postMessage bridge) call its methods and `subscribe` to its events, without any component.
 */
import { SpeedState } from './state/speed.svelte';
import { AppError } from '$workers/lib/errors';
import { DEFAULT_CHUNK_BYTES } from '$workers/lib/download/defaults';
import type { ModelRecord } from '$workers/lib/cache/schema';
import { specOfRecord } from '$workers/lib/cache/record-spec';
import type { DownloadOptions } from '$workers/lib/download/defaults';
import type { LoadConfig, LoadedModelInfo } from '$workers/lib/engine/types';
import { DEFAULT_MODEL_PATH } from './default-model';
import { buildLoadConfig } from './engine-prefs';
import { DEFAULT_CTX } from './settings';
import type { UrlParams } from './url-params';
import { ChatState, type ChatEntry, type Runtime, type SendHooks } from './state/chat.svelte';
import { ModelState, type ModelDeps, type ModelStatus } from './state/model.svelte';
import { OfflineDownloads } from './state/offline-downloads.svelte';
import { SettingsState } from './state/settings.svelte';
import { StorageState } from './state/storage.svelte';
import { engineStalled } from './watchdog';
import { completeRecord, offlineStartSpec, offlineUncached } from './offline-open';
import { readPref, writePref } from './local-prefs';
import { MemoryConversationStore, type ConversationStore } from './conversations/conversation-db';
import { ConversationsState } from './state/conversations.svelte';
import type { ConversationModel } from './conversations/types';
import type { GenerateParams } from '$workers/lib/engine/types';
import type { ChatMessage, TemplateId } from '$workers/lib/templates/index';

/** The workers and browser facts a session runs on (browser-session.ts gives the real ones). */
export interface SessionDeps extends Omit<ModelDeps, 'onStatus' | 'onReady'> {
  /** Keeps the open model in the address (`?model=`), so a reload opens it again; null: the default. */
  syncUrl?: (spec: string | null) => void;
  /** Where conversations are kept (default: in memory, for this visit). */
  conversations?: ConversationStore;
  /**
   * Whether the network answers: navigator.onLine, and when it claims yes, a request to the page's
   * own host that the service worker lets through (browser-session.ts). Absent: always online.
   */
  online?: () => Promise<boolean>;
  /** The own engine's build key (virtual:own-engine-key): a calibration by another build is measured again. */
  engineBuild?: string;
}

/** What a session tells its listeners, in order. */
export type SessionEvent =
  | { type: 'status'; status: ModelStatus }
  | { type: 'ready'; info: LoadedModelInfo }
  /** A message passed the context check: it and its (empty, streaming) reply are in the conversation. */
  /** `user` is null for a regenerated reply. */
  | { type: 'accepted'; user: ChatEntry | null; reply: ChatEntry }
  | { type: 'token'; replyId: string; text: string }
  /** The reply ended: `reply.state` is done, stopped or error. */
  | { type: 'reply'; reply: ChatEntry }
  | { type: 'error'; error: AppError };

/** A host page's run, checked (embed/run-input.ts). */
export interface HostRun {
  /** null: the widget's default system prompt. */
  system: string | null;
  /** Oldest first, ending with the user's message. */
  turns: ChatMessage[];
  /** No template (the hosted API's raw: true). */
  raw: boolean;
  params: GenerateParams;
}

export type SessionListener = (event: SessionEvent) => void;

export class Session {
  readonly params: UrlParams;
  readonly model: ModelState;
  readonly chat = new ChatState();
  readonly settings = new SettingsState();
  readonly storage: StorageState;
  readonly offline: OfflineDownloads;
  readonly conversations: ConversationsState;
  readonly speed: SpeedState;
  /** The `?model=` spec of the open model (null: the bundled demo), recorded with each conversation. */
  #spec: string | null;
  /** The last send's error (the model's own error is `model.error`). */
  chatError = $state.raw<AppError | null>(null);

  /** The error to show: the chat's, else the model's. */
  get error(): AppError | null {
    return this.chatError ?? this.model.error;
  }

  private readonly deps: SessionDeps;
  // Bookkeeping only, never rendered: a plain Set on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #listeners = new Set<SessionListener>();

  constructor(params: UrlParams, deps: SessionDeps) {
    this.params = params;
    this.deps = deps;
    this.#spec = params.model ?? null;
    this.conversations = new ConversationsState(deps.conversations ?? new MemoryConversationStore(), this.chat, {
      model: () => this.#conversationModel(),
      params: () => $state.snapshot(this.settings.params),
      // A new conversation starts from the Settings defaults.
      defaults: () => ({ template: this.model.info ? this.#defaultTemplate(this.model.info) : this.chat.template, systemPrompt: this.defaultSystemPrompt }),
    });
    this.storage = new StorageState(deps.downloads);
    this.speed = new SpeedState(deps.engineBuild ?? '');
    this.offline = new OfflineDownloads(deps.downloads);
    this.chat.systemPrompt = this.settings.defaultSystemPrompt;
    this.model = new ModelState({
      ...deps,
      onStatus: (status) => {
        void this.storage.refresh(); // the storage list follows every download, import and load
        this.#emit({ type: 'status', status });
      },
      onReady: (info) => {
        // Each newly loaded model starts with the template that fits its vocabulary, or the one chosen
        // in Settings (a conversation already under way keeps its own).
        if (this.chat.nodes.length === 0) this.chat.template = this.#defaultTemplate(info);
        const id = this.model.source?.id;
        writePref('lastModel', id?.startsWith('local:') ? id : (this.#spec ?? DEFAULT_MODEL_PATH));
        this.#emit({ type: 'ready', info });
      },
    });
  }

  /**
   * Opens the model the address names (or the default one) and lists the cache. Offline with no
   * `?model=`, the model last used opens when it is complete in the cache.
   */
  async start(): Promise<void> {
    const listed = this.storage.refresh();
    void this.conversations.init();
    void this.#online(); // the status says Offline from the start when the network is gone
    if (!this.params.model) {
      // The model last used opens again when it is complete in the cache (as desktop chat apps do),
      // which also makes an offline start open something that works.
      await listed;
      const last = offlineStartSpec(readPref('lastModel'), this.storage.records, this.deps.baseUrl());
      if (last && last !== DEFAULT_MODEL_PATH) return this.#openSpec(last);
    }
    if (this.params.model && !(await this.#openableOffline(this.params.model))) return;
    return this.model.open(this.params.model ?? DEFAULT_MODEL_PATH, this.loadConfig(), this.downloadOptions());
  }

  /** False once the network is found gone; the status shows Offline (ModelStatus.svelte). */
  online = $state(true);

  #recheck: ReturnType<typeof setTimeout> | undefined;

  async #online(): Promise<boolean> {
    this.online = this.deps.online ? await this.deps.online() : true;
    // While offline, look again now and then, so the status notices the network coming back.
    clearTimeout(this.#recheck);
    if (!this.online) this.#recheck = setTimeout(() => void this.#online(), 5000);
    return this.online;
  }

  /** Opens a spec or a cached `local:` id (kept in the address either way). */
  #openSpec(spec: string): Promise<void> {
    const record = spec.startsWith('local:') ? this.storage.record(spec) : null;
    return record ? this.openRecord(record) : this.openModel(spec);
  }

  /**
   * Offline, a model that is not complete in the cache cannot be opened: say so (naming the ones
   * that can) instead of starting a download that can only fail. Online, always true.
   */
  async #openableOffline(spec: string, label?: string): Promise<boolean> {
    // The demo ships with the app: offline, the service worker's precache serves it.
    if (spec.startsWith('local:') || spec === DEFAULT_MODEL_PATH) return true;
    await this.storage.refresh();
    if (completeRecord(spec, this.storage.records, this.deps.baseUrl()) || (await this.#online())) return true;
    this.model.fail(offlineUncached(label ?? spec, this.storage.records));
    return false;
  }

  /** Listens to the session's events; returns the function that stops listening. */
  subscribe(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: SessionEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (e) {
        console.error('A session listener failed:', e); // one broken listener never stops the chat
      }
    }
  }

  loadConfig(): LoadConfig {
    return buildLoadConfig({ ...this.params, ctx: this.params.ctx ?? this.settings.engine.ctx ?? DEFAULT_CTX }, this.settings.engine);
  }

  downloadOptions(): DownloadOptions {
    return { parallel: this.params.parallel ?? this.settings.parallelDownloads, chunkBytes: this.params.chunk ?? DEFAULT_CHUNK_BYTES, retryFirstMs: this.params.retry };
  }

  /** Opens another model (null: the default demo) and keeps the choice in the address for reloads. */
  async openModel(spec: string | null, label?: string): Promise<void> {
    this.deps.syncUrl?.(spec);
    this.#spec = spec;
    this.chatError = null;
    if (!(await this.#openableOffline(spec ?? DEFAULT_MODEL_PATH, label))) return;
    return this.model.open(spec ?? DEFAULT_MODEL_PATH, this.loadConfig(), this.downloadOptions(), label);
  }

  openFiles(files: File[]): Promise<void> {
    this.chatError = null;
    this.#spec = null;
    return this.model.openFiles(files, this.loadConfig(), this.downloadOptions());
  }

  /** Opens (or resumes) a model listed in the cache; an imported file opens from the cache by its `local:` id. */
  openRecord(r: ModelRecord): Promise<void> {
    if (r.origin === 'url') return this.openModel(specOfRecord(r), r.label);
    this.chatError = null;
    this.#spec = r.id;
    return this.model.openCached(r.id, r.label, this.loadConfig(), this.downloadOptions());
  }

  /** Opens the last model again (after an error; `force` downloads one the planner refused). */
  retry(force = false): Promise<void> {
    this.chatError = null;
    return this.model.retry(force);
  }

  /** Loads the current model again with the engine settings just changed. */
  applyEngine(): Promise<void> {
    return this.model.reloadWith(this.loadConfig());
  }

  saveOffline(spec: string, label?: string): Promise<void> {
    // A model saved for offline use should outlast storage pressure: ask (not awaited: Firefox
    // answers only after its prompt); the Storage panel shows the outcome.
    void this.storage.requestPersistence();
    return this.offline.save(spec, this.deps.baseUrl(), this.downloadOptions(), label, () => void this.storage.refresh());
  }

  /** Deletes a cached model; the download worker first stops any download of it (an open, or a save). */
  async deleteModel(id: string): Promise<void> {
    if (this.model.source?.id === id && this.model.status === 'downloading') await this.model.cancel();
    await this.storage.remove(id);
  }

  /** Hashes a cached model's stored bytes against published SHA-256s (in the download worker); a match marks it verified. */
  async pinSha256(id: string, hashes: string[]): Promise<void> {
    await this.deps.downloads().pinSha256(id, hashes);
    await this.storage.refresh();
  }

  async clearCache(): Promise<void> {
    if (this.model.status === 'downloading') await this.model.cancel();
    await this.storage.clear();
  }

  dismissError(): void {
    this.chatError = null;
    this.model.error = null;
  }

  /**
   * Sends a message. Resolves true once it is in the conversation (the composer then clears), false
   * if it was not sent (no model ready, a reply already running, or refused, e.g. over the context).
   */
  send(text: string): Promise<boolean> {
    return this.#turn((params, rt, hooks) => this.chat.send(text, params, rt, hooks));
  }

  /** Resends an edited user message; the original and its replies stay as a branch. */
  edit(userId: string, text: string): Promise<boolean> {
    return this.#turn((params, rt, hooks) => this.chat.edit(userId, text, params, rt, hooks));
  }

  /** A new reply in place of `replyId`, which stays as an alternative. */
  regenerate(replyId: string): Promise<boolean> {
    return this.#turn((params, rt, hooks) => this.chat.regenerate(replyId, params, rt, hooks));
  }

  /**
   * A run a host page asked for (the widget's API, embed/bridge.ts), shown in the chat as if typed.
   * It continues the conversation on screen when that conversation is exactly the run's earlier
   * messages (so the KV cache is reused); otherwise a new conversation holds them. `hooks` hear the
   * run's own events; false: not started (no model, or a reply already running).
   */
  /**
   * Measures the speed forecast's figures on the loaded model's engine at its thread count (the CPU
   * path), unless this browser has them already (`again`: measure anyway). Not while a reply runs.
   */
  calibrateSpeed(again = false): Promise<void> {
    const engine = this.model.engine;
    if (!engine || !this.model.info || this.chat.generating) return Promise.resolve();
    return this.speed.ensure(engine, this.forecastThreads, again);
  }

  /** The thread count the forecast stands for: the loaded model's on the CPU. */
  get forecastThreads(): number {
    const info = this.model.info;
    return info?.backend === 'cpu' ? info.threads : 1;
  }

  hostRun(run: HostRun, hooks: SendHooks): Promise<boolean> {
    const info = this.model.info;
    if (!this.model.engine || !info || this.chat.generating) return Promise.resolve(false);
    const template: TemplateId = run.raw ? 'raw' : this.#defaultTemplate(info);
    const system = (run.system ?? this.defaultSystemPrompt).trim();
    const prior = run.turns.slice(0, -1);
    const last = run.turns[run.turns.length - 1];
    const continues = this.chat.nodes.length > 0 && this.chat.template === template && !this.chat.coding && this.chat.systemPrompt.trim() === system && this.chat.holds(prior);
    if (!continues) {
      this.conversations.newChat();
      this.chat.template = template;
      this.chat.coding = false;
      this.chat.systemPrompt = system;
      this.chat.seed(prior);
    }
    return this.#turn((_params, rt, h) => this.chat.sendAsIs(last.content, run.params, rt, h), hooks);
  }

  /** The system prompt a new conversation starts with: the widget's `system=`, else the Settings default. */
  get defaultSystemPrompt(): string {
    return this.#systemDefault ?? this.settings.defaultSystemPrompt;
  }

  #systemDefault: string | null = null;

  /** The widget's `system=`: the default for its conversations, without changing the saved Settings. */
  setDefaultSystemPrompt(text: string): void {
    this.#systemDefault = text;
    if (this.chat.nodes.length === 0) this.chat.systemPrompt = text;
  }

  /** Deletes a message and what follows it. */
  deleteMessage(id: string): void {
    this.conversations.forget(this.chat.deleteMessage(id));
  }

  #turn(run: (params: GenerateParams, rt: Runtime, hooks: SendHooks) => Promise<void>, extra?: SendHooks): Promise<boolean> {
    const engine = this.model.engine;
    const info = this.model.info;
    if (!engine || !info) return Promise.resolve(false);
    this.chatError = null;
    const jinja = info.chatTemplate ? { template: info.chatTemplate, bosToken: info.profile.bosText, eosToken: info.profile.eosText } : undefined;
    const rt: Runtime = { engine, backend: info.backend, build: info.build, threads: info.threads, batch: info.batch, ctx: info.ctx, modelBytes: info.modelBytes, jinja, stream: this.#stream() };
    return new Promise((accepted) => {
      void run($state.snapshot(this.settings.params), rt, {
        onError: (e) => {
          extra?.onError(e);
          this.#onChatError(e);
        },
        onAccepted: (user, reply) => {
          accepted(true);
          extra?.onAccepted?.(user, reply);
          this.#emit({ type: 'accepted', user, reply });
        },
        onPiece: (text, reply) => {
          extra?.onPiece?.(text, reply);
          this.#emit({ type: 'token', replyId: reply.id, text });
        },
        onFinished: (reply) => {
          extra?.onFinished?.(reply);
          this.#emit({ type: 'reply', reply });
        },
      }).finally(() => accepted(false)); // no effect once accepted
    });
  }

  /** Whether replies stream (a setting; on unless turned off). */
  #stream(): boolean {
    return this.settings.stream;
  }

  #defaultTemplate(info: LoadedModelInfo): TemplateId {
    return this.settings.templateFor(info.profile.defaultTemplate, info.chatTemplate !== null);
  }

  #conversationModel(): ConversationModel | null {
    const info = this.model.info;
    if (!info && !this.model.source) return null;
    const sha = this.model.source?.sha256?.find((h): h is string => typeof h === 'string');
    const id = this.model.source?.id;
    const spec = id?.startsWith('local:') ? id : this.#spec;
    return { spec, label: this.model.label || this.model.source?.names[0] || 'model', ...(sha ? { sha256: sha } : {}) };
  }

  /**
   * What a failed send means beyond the reply: a crashed or stalled engine is dropped (Try again
   * starts a new one with the model that worked), a failed GPU hands over to the CPU.
   */
  #onChatError(e: AppError): void {
    this.#emit({ type: 'error', error: e });
    if (e.kind === 'webgpu-failed') {
      // WebGPU failed at run time: the same model loads on the CPU; the conversation stays.
      void this.model.fallbackToCpu(e.message);
      return;
    }
    this.chatError = e;
    if (e.kind === 'worker-crashed' || engineStalled(e)) this.model.fail(e);
  }

  /** Stop always ends the reply at once, even when the engine no longer answers. */
  stop(): void {
    this.chat.stop();
  }

  newChat(): void {
    this.conversations.newChat();
  }
}
