/**
 * The list of conversations and which one is on screen, kept in the conversation database
 * (conversations/conversation-db.ts). The chat state holds the open conversation's messages; this
 * state saves them as they change (a streaming reply about once a second, so a closed tab keeps
 * its text so far, restored as stopped), opens another, renames and deletes (with undo), and
 * follows other tabs through a BroadcastChannel.
 */
import { untrack } from 'svelte';
import type { GenerateParams } from '$workers/lib/engine/types';
import type { TemplateId } from '$workers/lib/templates/index';
import type { ConversationStore, StoredConversation } from '../conversations/conversation-db';
import type { ConversationModel, StoredMessage } from '../conversations/types';
import { newId, type ChatEntry, type ChatState } from './chat.svelte';

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  model: string | null;
  /** Lower-cased title and message text, for the search. */
  haystack: string;
}

/** What a conversation records about the moment: the model and the sampling settings in use. */
export interface ConversationContext {
  model: () => ConversationModel | null;
  params: () => GenerateParams;
  /** What a new conversation starts with (the Settings defaults, the loaded model's template). */
  defaults: () => { template: TemplateId; systemPrompt: string };
}

/** How often a streaming reply is saved: a closed tab loses at most this much of it. */
const STREAM_SAVE_MS = 1000;
const TITLE_CHARS = 60;
const CHANNEL = 'starling-conversations';

type ChannelMessage = { type: 'changed' | 'removed'; id: string };

/** A title from the first message: its first line, cut at a word near TITLE_CHARS. */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0].replace(/\s+/g, ' ');
  if (line.length <= TITLE_CHARS) return line || 'New chat';
  const cut = line.slice(0, TITLE_CHARS);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 20 ? cut.lastIndexOf(' ') : TITLE_CHARS)}…`;
}

const summarize = (c: StoredConversation): ConversationSummary => ({
  id: c.id,
  title: c.title,
  updatedAt: c.updatedAt,
  model: c.model?.label ?? null,
  haystack: [c.title, ...c.messages.map((m) => m.content)].join('\n').toLowerCase(),
});

function toStored(m: ChatEntry): StoredMessage {
  const out: StoredMessage = {
    id: m.id,
    parentId: m.parentId,
    role: m.role === 'user' ? 'user' : 'assistant',
    content: m.content,
    // A reply still streaming is stored as stopped: that is what it is if this tab closes now.
    state: m.state === 'streaming' ? 'stopped' : m.state,
    createdAt: m.createdAt,
  };
  if (m.error !== undefined) out.error = m.error;
  if (m.stats) out.stats = { ...m.stats };
  if (m.tokenCheck) out.tokenCheck = { ...m.tokenCheck };
  if (m.leftOut !== undefined) out.leftOut = m.leftOut;
  return out;
}

export class ConversationsState {
  list = $state.raw<ConversationSummary[]>([]);
  activeId = $state(newId());
  query = $state('');
  /** The last deleted conversation, until its undo expires. */
  deleted = $state.raw<StoredConversation | null>(null);
  /** Why the database cannot be used (the list then lasts this visit). */
  storeError = $state<string | null>(null);
  readonly filtered: ConversationSummary[] = $derived.by(() => {
    const q = this.query.trim().toLowerCase();
    return q ? this.list.filter((c) => c.haystack.includes(q)) : this.list;
  });

  #createdAt = Date.now();
  #title: { text: string; edited: boolean } | null = null;
  /** Messages deleted from the open conversation (bookkeeping for the merge, never rendered). */
  #removedIds: string[] = [];
  #streamSaveAt = 0;
  #saving: Promise<void> = Promise.resolve();
  #channel: BroadcastChannel | null = null;

  constructor(
    private readonly store: ConversationStore,
    private readonly chat: ChatState,
    private readonly ctx: ConversationContext,
  ) {
    chat.onChange = (kind) => {
      if (kind === 'structure') void this.save();
      else if (Date.now() - this.#streamSaveAt >= STREAM_SAVE_MS) void this.save();
    };
    // The conversation's own template, coding mode and system prompt are saved as they change
    // (typing in the system prompt: once it pauses).
    let timer: ReturnType<typeof setTimeout> | undefined;
    $effect.root(() => {
      $effect(() => {
        void [chat.template, chat.coding, chat.systemPrompt];
        untrack(() => {
          if (chat.nodes.length === 0) return;
          clearTimeout(timer);
          timer = setTimeout(() => void this.save(), 300);
        });
      });
    });
    if (typeof BroadcastChannel !== 'undefined') {
      this.#channel = new BroadcastChannel(CHANNEL);
      this.#channel.onmessage = (e: MessageEvent<ChannelMessage>) => void this.#fromOtherTab(e.data);
    }
  }

  /** Lists the stored conversations and opens the newest (a reload comes back to where it was). */
  async init(): Promise<void> {
    await this.refresh();
    const newest = this.list[0];
    if (newest && this.chat.nodes.length === 0) await this.open(newest.id);
  }

  async refresh(): Promise<void> {
    try {
      this.list = (await this.store.list()).map(summarize);
      this.storeError = null;
    } catch (e) {
      this.storeError = e instanceof Error ? e.message : String(e);
    }
  }

  /** The open conversation as it would be stored. */
  snapshot(): StoredConversation {
    const chat = this.chat;
    const first = chat.messages.find((m) => m.role === 'user') ?? chat.nodes.find((m) => m.role === 'user');
    const title = this.#title?.edited ? this.#title.text : titleFrom(first?.content ?? '');
    return {
      id: this.activeId,
      title,
      ...(this.#title?.edited ? { titleEdited: true } : {}),
      createdAt: this.#createdAt,
      // The list's order follows the conversation's last message, not a rename or a branch switch.
      updatedAt: chat.nodes.reduce((t, m) => Math.max(t, m.createdAt), this.#createdAt),
      systemPrompt: chat.systemPrompt,
      template: chat.template,
      coding: chat.coding,
      model: this.ctx.model(),
      params: { ...this.ctx.params() },
      messages: $state.snapshot(chat.nodes).map(toStored),
      leafId: chat.leafId,
      deletedIds: [...this.#removedIds],
    };
  }

  /** Saves the open conversation (an empty one is not stored until its first message). */
  save(): Promise<void> {
    this.#streamSaveAt = Date.now();
    if (this.chat.nodes.length === 0 && this.#removedIds.length === 0) return this.#saving;
    const conv = this.snapshot();
    // Saves run one after another, so an older snapshot never lands after a newer one.
    this.#saving = this.#saving
      .then(async () => {
        const merged = await this.store.save(conv);
        this.#upsert(summarize(merged));
        this.#post({ type: 'changed', id: conv.id });
        this.storeError = null;
      })
      .catch((e: unknown) => {
        this.storeError = e instanceof Error ? e.message : String(e);
      });
    return this.#saving;
  }

  #upsert(s: ConversationSummary): void {
    this.list = [s, ...this.list.filter((c) => c.id !== s.id)].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  #post(m: ChannelMessage): void {
    this.#channel?.postMessage(m);
  }

  /** Puts a stored conversation on screen. */
  async open(id: string): Promise<boolean> {
    if (this.chat.generating) return false;
    await this.#saving;
    const c = await this.store.get(id).catch(() => undefined);
    if (!c) return false;
    this.#show(c);
    return true;
  }

  #show(c: StoredConversation): void {
    this.activeId = c.id;
    this.#createdAt = c.createdAt;
    this.#title = { text: c.title, edited: c.titleEdited === true };
    this.#removedIds = [...(c.deletedIds ?? [])];
    this.chat.load(
      c.messages.map((m) => ({ ...m })),
      c.leafId,
      { template: c.template, coding: c.coding, systemPrompt: c.systemPrompt },
    );
  }

  /** An empty conversation (stored once it has a message). */
  newChat(): void {
    if (this.chat.generating) return;
    this.activeId = newId();
    this.#createdAt = Date.now();
    this.#title = null;
    this.#removedIds = [];
    this.chat.clear();
    const d = this.ctx.defaults();
    this.chat.template = d.template;
    this.chat.systemPrompt = d.systemPrompt;
  }

  async rename(id: string, title: string): Promise<void> {
    const text = title.trim().slice(0, 200);
    if (!text) return;
    if (id === this.activeId) {
      this.#title = { text, edited: true };
      await this.save();
      return;
    }
    const c = await this.store.get(id);
    if (!c) return;
    await this.store.put({ ...c, title: text, titleEdited: true });
    await this.refresh();
    this.#post({ type: 'changed', id });
  }

  /** Deletes a conversation; `undoDelete` puts it back while `deleted` holds it. */
  async remove(id: string): Promise<void> {
    if (id === this.activeId && this.chat.generating) return;
    await this.#saving;
    const c = await this.store.get(id);
    await this.store.remove(id);
    this.deleted = c ?? null;
    this.list = this.list.filter((s) => s.id !== id);
    this.#post({ type: 'removed', id });
    if (id === this.activeId) this.newChat();
  }

  async undoDelete(): Promise<void> {
    const c = this.deleted;
    if (!c) return;
    this.deleted = null;
    await this.store.put(c);
    this.#upsert(summarize(c));
    this.#post({ type: 'changed', id: c.id });
    if (this.chat.nodes.length === 0) this.#show(c);
  }

  /** Remembers a message deleted from the open conversation, so a merge with another tab does not bring it back. */
  forget(ids: string[]): void {
    this.#removedIds = [...this.#removedIds, ...ids.filter((id) => !this.#removedIds.includes(id))];
    void this.save();
  }

  /** Stores imported conversations (already validated, with ids that clash with none). */
  async addAll(convs: StoredConversation[]): Promise<void> {
    await this.store.put(...convs);
    await this.refresh();
    for (const c of convs) this.#post({ type: 'changed', id: c.id });
  }

  /** Every stored conversation, the open one as it is now. */
  async all(): Promise<StoredConversation[]> {
    await this.save();
    return this.store.list();
  }

  async #fromOtherTab(m: ChannelMessage): Promise<void> {
    await this.refresh();
    if (m.id !== this.activeId || this.chat.generating) return;
    if (m.type === 'removed') return; // it stays on screen here; the next save stores it again
    const c = await this.store.get(m.id);
    if (c && !this.chat.generating) this.#show(c);
  }
}
