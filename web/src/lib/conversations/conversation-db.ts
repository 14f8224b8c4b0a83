/**
 * The conversation database: its own IndexedDB database (the model cache is another one), one
 * record per conversation, so two tabs writing different conversations never touch each other's.
 *
 * Two tabs writing the same conversation are merged, not overwritten: a save reads the stored record
 * in the same transaction and keeps every message either side has (messages are never edited in
 * place: an edit or a regeneration is a new message), minus the ones either side deleted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { CONVERSATION_SCHEMA_VERSION, type Conversation, type StoredMessage } from './types';

export const CONVERSATION_DB = 'starling-conversations';
const STORE = 'conversations';

interface ConversationSchema extends DBSchema {
  conversations: { key: string; value: StoredConversation; indexes: { updatedAt: number } };
}

/** A stored record: the conversation plus the ids of messages deleted from it (for the merge). */
export interface StoredConversation extends Conversation {
  deletedIds?: string[];
}

/** What the app needs from the store; the unit tests give an in-memory one. */
export interface ConversationStore {
  list(): Promise<StoredConversation[]>;
  get(id: string): Promise<StoredConversation | undefined>;
  /** Writes the conversation, merged with what another tab stored meanwhile; returns the merged record. */
  save(conv: StoredConversation): Promise<StoredConversation>;
  /** Puts records back exactly (undo of a delete, an import): all of them or, on a failure, none. */
  put(...convs: StoredConversation[]): Promise<void>;
  remove(id: string): Promise<void>;
}

/** One side's messages plus the other's, less what either deleted; this side wins where both have one. */
export function mergeConversations(stored: StoredConversation | undefined, ours: StoredConversation): StoredConversation {
  if (!stored) return ours;
  const deleted = new Set([...(stored.deletedIds ?? []), ...(ours.deletedIds ?? [])]);
  const byId = new Map<string, StoredMessage>();
  for (const m of stored.messages) if (!deleted.has(m.id)) byId.set(m.id, m);
  for (const m of ours.messages) if (!deleted.has(m.id)) byId.set(m.id, m);
  const messages = [...byId.values()].sort((a, b) => a.createdAt - b.createdAt);
  const leafId = ours.leafId && byId.has(ours.leafId) ? ours.leafId : stored.leafId && byId.has(stored.leafId) ? stored.leafId : null;
  return { ...ours, messages, leafId, updatedAt: Math.max(ours.updatedAt, stored.updatedAt), deletedIds: [...deleted] };
}

export class IdbConversationStore implements ConversationStore {
  #db: Promise<IDBPDatabase<ConversationSchema>> | null = null;

  private db(): Promise<IDBPDatabase<ConversationSchema>> {
    // The database version is the schema version: a later schema migrates in `upgrade`.
    return (this.#db ??= openDB<ConversationSchema>(CONVERSATION_DB, CONVERSATION_SCHEMA_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) db.createObjectStore(STORE, { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
      },
      blocking: () => {
        // Another tab opens a newer schema: let it upgrade; this tab reopens on its next write.
        const open = this.#db;
        this.#db = null;
        void open?.then((d) => d.close());
      },
    }).catch((e: unknown) => {
      this.#db = null;
      throw e;
    }));
  }

  async list(): Promise<StoredConversation[]> {
    const all = await (await this.db()).getAllFromIndex(STORE, 'updatedAt');
    return all.reverse();
  }

  async get(id: string): Promise<StoredConversation | undefined> {
    return (await this.db()).get(STORE, id);
  }

  async save(conv: StoredConversation): Promise<StoredConversation> {
    const tx = (await this.db()).transaction(STORE, 'readwrite');
    const merged = mergeConversations(await tx.store.get(conv.id), conv);
    await tx.store.put(merged);
    await tx.done;
    return merged;
  }

  async put(...convs: StoredConversation[]): Promise<void> {
    // One transaction: an import that fails partway (a full disk) stores nothing.
    const tx = (await this.db()).transaction(STORE, 'readwrite');
    await Promise.all([...convs.map((c) => tx.store.put(c)), tx.done]);
  }

  async remove(id: string): Promise<void> {
    await (await this.db()).delete(STORE, id);
  }
}

/** For pages without usable IndexedDB (blocked storage) and for unit tests: lasts this visit. */
export class MemoryConversationStore implements ConversationStore {
  readonly #items = new Map<string, StoredConversation>();
  list(): Promise<StoredConversation[]> {
    return Promise.resolve([...this.#items.values()].sort((a, b) => b.updatedAt - a.updatedAt).map((c) => structuredClone(c)));
  }
  get(id: string): Promise<StoredConversation | undefined> {
    const c = this.#items.get(id);
    return Promise.resolve(c && structuredClone(c));
  }
  save(conv: StoredConversation): Promise<StoredConversation> {
    const merged = mergeConversations(this.#items.get(conv.id), structuredClone(conv));
    this.#items.set(conv.id, merged);
    return Promise.resolve(structuredClone(merged));
  }
  put(...convs: StoredConversation[]): Promise<void> {
    for (const c of convs) this.#items.set(c.id, structuredClone(c));
    return Promise.resolve();
  }
  remove(id: string): Promise<void> {
    this.#items.delete(id);
    return Promise.resolve();
  }
}
