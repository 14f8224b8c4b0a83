/** "Copy as Markdown": the branch on screen of a conversation, as a user would paste it elsewhere. */
import { TEMPLATE_LABELS } from '$workers/lib/templates/index';
import type { Conversation, StoredMessage } from './types';

/** The messages from the root to `leafId`: the branch on screen (other branches are left out). */
export function visibleBranch(conv: Pick<Conversation, 'messages' | 'leafId'>): StoredMessage[] {
  const byId = new Map(conv.messages.map((m) => [m.id, m]));
  const path: StoredMessage[] = [];
  const seen = new Set<string>();
  let cur = conv.leafId === null ? undefined : byId.get(conv.leafId);
  // `seen` guards against a cycle in data that was not validated (a stored conversation is trusted, but cheaply).
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    path.push(cur);
    cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
  }
  return path.reverse();
}

const NOTE: Record<StoredMessage['state'], string> = { done: '', stopped: '*(stopped)*', error: '*(error)*' };

export function conversationToMarkdown(conv: Conversation): string {
  const model = conv.model ? `${conv.model.label}${conv.model.spec ? ` (${conv.model.spec})` : ''}` : 'the built-in demo model';
  const template = `${TEMPLATE_LABELS[conv.template]}${conv.coding ? ', coding mode' : ''}`;
  const parts = [`# ${conv.title || 'Untitled chat'}`, `- Model: ${model}\n- Template: ${template}`];
  if (conv.systemPrompt.trim()) parts.push(`**System**\n\n${conv.systemPrompt}`);
  for (const m of visibleBranch(conv)) {
    const note = [NOTE[m.state], m.error ? `*${m.error}*` : ''].filter(Boolean).join(' ');
    const body = [m.content, note].filter(Boolean).join('\n\n') || '*(empty)*';
    parts.push(`**${m.role === 'user' ? 'User' : 'Assistant'}**\n\n${body}`);
  }
  return `${parts.join('\n\n')}\n`;
}
