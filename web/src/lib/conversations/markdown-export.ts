/** "Copy as Markdown": the branch on screen of a conversation, as a user would paste it elsewhere. */
import { TEMPLATE_LABELS } from '$workers/lib/templates/index';
import { pathTo } from './tree';
import type { Conversation, StoredMessage } from './types';

const NOTE: Record<StoredMessage['state'], string> = { done: '', stopped: '*(stopped)*', error: '*(error)*' };

export function conversationToMarkdown(conv: Conversation): string {
  const model = conv.model ? `${conv.model.label}${conv.model.spec ? ` (${conv.model.spec})` : ''}` : 'the built-in demo model';
  const template = `${TEMPLATE_LABELS[conv.template]}${conv.coding ? ', coding mode' : ''}`;
  const parts = [`# ${conv.title || 'Untitled chat'}`, `- Model: ${model}\n- Template: ${template}`];
  if (conv.systemPrompt.trim()) parts.push(`**System**\n\n${conv.systemPrompt}`);
  // The branch on screen only: other branches (edits, regenerations) are left out.
  for (const m of pathTo(conv.messages, conv.leafId)) {
    const note = [NOTE[m.state], m.error ? `*${m.error}*` : ''].filter(Boolean).join(' ');
    const body = [m.content, note].filter(Boolean).join('\n\n') || '*(empty)*';
    parts.push(`**${m.role === 'user' ? 'User' : 'Assistant'}**\n\n${body}`);
  }
  return `${parts.join('\n\n')}\n`;
}
