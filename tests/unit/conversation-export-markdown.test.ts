import { describe, expect, it } from 'vitest';
import { conversationToMarkdown } from '../../web/src/lib/conversations/markdown-export';
import { sampleConversation } from './conversation-export-fixture';

describe('copy as Markdown', () => {
  it('writes the title, model, template, system prompt and the branch on screen only', () => {
    expect(conversationToMarkdown(sampleConversation())).toBe(
      [
        '# Crème brûlée, and more!',
        '',
        '- Model: Starling 7B Q4_K_M (hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q4_K_M.gguf)',
        '- Template: OpenChat 3.5 / Starling (model card)',
        '',
        '**System**',
        '',
        'Be brief.',
        '',
        '**User**',
        '',
        'Hello',
        '',
        '**Assistant**',
        '',
        'Second answer',
        '',
        '*(stopped)*',
        '',
        '**User**',
        '',
        'Thanks',
        '',
        '**Assistant**',
        '',
        '*(error)* *The engine stopped.*',
        '',
      ].join('\n'),
    );
  });

  it('an empty conversation has only its heading', () => {
    expect(conversationToMarkdown({ ...sampleConversation(), messages: [], leafId: null, systemPrompt: '' })).not.toContain('**');
  });

  it('follows leafId: the other branch shows when it is the one on screen', () => {
    const conv = { ...sampleConversation(), leafId: 'm2', systemPrompt: '', model: null, coding: true };
    const md = conversationToMarkdown(conv);
    expect(md).toContain('First answer');
    expect(md).not.toContain('Second answer');
    expect(md).not.toContain('Thanks');
    expect(md).not.toContain('**System**');
    expect(md).toContain('- Model: the built-in demo model\n- Template: OpenChat 3.5 / Starling (model card), coding mode');
  });
});
