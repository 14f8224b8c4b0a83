/**
 * A conversation as it is stored (IndexedDB, conversation-db.ts) and exported (export-import.ts).
 *
 * Messages form a tree: each has a parent (null for the first turn), so an edited message or a
 * regenerated reply is a sibling of the one it replaces, and both stay reachable (branches, as in
 * the llama.cpp web UI). `leafId` names the message at the end of the branch on screen; the visible
 * conversation is the path from the root to it.
 */
import type { GenerateParams } from '$workers/lib/engine/types';
import type { TemplateId } from '$workers/lib/templates/index';
import type { GenStats, TokenCheck } from '../reply-check';

/** Bump on any change to the stored or exported shape, with a migration in conversation-db.ts. */
export const CONVERSATION_SCHEMA_VERSION = 1;

/** What a stored message can be: a reply that was streaming when the tab closed is kept as stopped. */
export type StoredState = 'done' | 'stopped' | 'error';

export interface StoredMessage {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant';
  content: string;
  state: StoredState;
  error?: string;
  /** The reply's own figures (assistant messages). */
  stats?: GenStats;
  tokenCheck?: TokenCheck;
  /** How many earlier messages of its branch the reply's prompt left out (the context was full). */
  leftOut?: number;
  createdAt: number;
}

/** The model a conversation was held with (as the address names it, and the file's hash when known). */
export interface ConversationModel {
  /** The `?model=` spec (a URL, `hf:…`, or `local:…` for an imported file); null: the bundled demo. */
  spec: string | null;
  label: string;
  sha256?: string;
}

export interface Conversation {
  id: string;
  title: string;
  /** True once the user renamed it: the title no longer follows the first message. */
  titleEdited?: boolean;
  createdAt: number;
  updatedAt: number;
  systemPrompt: string;
  template: TemplateId;
  coding: boolean;
  model: ConversationModel | null;
  params: GenerateParams;
  /** Every message of every branch. */
  messages: StoredMessage[];
  /** The last message of the branch on screen (null: empty conversation). */
  leafId: string | null;
}

/** The export file: names the app and the schema, so an import can refuse what it cannot read. */
export interface ConversationExport {
  app: 'starling-playground';
  kind: 'conversations';
  schemaVersion: number;
  exportedAt: string;
  conversations: Conversation[];
}
