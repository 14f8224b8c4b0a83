/**
 * Conversations to and from a JSON file. The file names the app and the schema version (an import
 * refuses what it cannot read: import-validate.ts); each conversation carries its model (spec, label,
 * sha256 when known) and template, as it is stored.
 */
import { APP_NAME, EXPORT_KIND } from './import-validate';
import { CONVERSATION_SCHEMA_VERSION, type Conversation, type ConversationExport } from './types';

export { ImportError, MAX_IMPORT_BYTES, parseConversationImport } from './import-validate';

/** The exported fields of a conversation, named one by one: a stored record's bookkeeping (deletedIds) stays home. */
function exported(c: Conversation): Conversation {
  const out: Conversation = {
    id: c.id,
    title: c.title,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    systemPrompt: c.systemPrompt,
    template: c.template,
    coding: c.coding,
    model: c.model,
    params: c.params,
    messages: c.messages,
    leafId: c.leafId,
  };
  if (c.titleEdited !== undefined) out.titleEdited = c.titleEdited;
  return out;
}

export function exportConversations(convs: Conversation[], now = new Date()): ConversationExport {
  return {
    app: APP_NAME,
    kind: EXPORT_KIND,
    schemaVersion: CONVERSATION_SCHEMA_VERSION,
    exportedAt: now.toISOString(),
    conversations: convs.map(exported),
  };
}

/** A file-name-safe form of a title: lowercase ASCII words joined by "-", at most 40 characters. */
export function titleSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return slug || 'untitled';
}

/** `starling-chat-<title>-<date>.json` for one conversation, `starling-chats-<date>.json` for all. */
export function exportFileName(one: Conversation | null, now = new Date()): string {
  const date = now.toISOString().slice(0, 10);
  return one ? `starling-chat-${titleSlug(one.title)}-${date}.json` : `starling-chats-${date}.json`;
}

/**
 * The same conversation under new ids (its own and every message's, parents and leaf remapped), so
 * an import never overwrites a conversation already stored.
 */
export function withFreshIds(conv: Conversation, newId: () => string = () => crypto.randomUUID()): Conversation {
  const ids = new Map<string, string>();
  for (const m of conv.messages) ids.set(m.id, newId());
  const remap = (id: string | null): string | null => (id === null ? null : (ids.get(id) ?? null));
  return {
    ...conv,
    id: newId(),
    messages: conv.messages.map((m) => ({ ...m, id: ids.get(m.id) as string, parentId: remap(m.parentId) })),
    leafId: remap(conv.leafId),
  };
}
