/** A conversation with two branches (a regenerated reply), as the store keeps it: the unit tests' input. */
import type { Conversation } from '../../web/src/lib/conversations/types';

export function sampleConversation(): Conversation {
  return {
    id: 'c1',
    title: 'Crème brûlée, and more!',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_100_000,
    systemPrompt: 'Be brief.',
    template: 'openchat',
    coding: false,
    model: { spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q4_K_M.gguf', label: 'Starling 7B Q4_K_M', sha256: 'a'.repeat(64) },
    params: { max_tokens: 256, temperature: 0, top_p: 0.95, top_k: 40, seed: 7, repetition_penalty: 1, frequency_penalty: 0, presence_penalty: 0 },
    messages: [
      { id: 'm1', parentId: null, role: 'user', content: 'Hello', state: 'done', createdAt: 1 },
      {
        id: 'm2',
        parentId: 'm1',
        role: 'assistant',
        content: 'First answer',
        state: 'done',
        createdAt: 2,
        stats: { promptTps: 10, genTps: 5, ttftMs: 120, backend: 'cpu', build: 'default', threads: 1, promptTokens: 17, cachedTokens: 0, genTokens: 4 },
        tokenCheck: { ours: 17, engine: 17, textMatches: true, ok: true },
        leftOut: 0,
      },
      { id: 'm3', parentId: 'm1', role: 'assistant', content: 'Second answer', state: 'stopped', createdAt: 3 },
      { id: 'm4', parentId: 'm3', role: 'user', content: 'Thanks', state: 'done', createdAt: 4 },
      { id: 'm5', parentId: 'm4', role: 'assistant', content: '', state: 'error', error: 'The engine stopped.', createdAt: 5 },
    ],
    leafId: 'm5',
  };
}
