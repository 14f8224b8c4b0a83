import { describe, expect, it } from 'vitest';
import { alternatives, latestLeaf, pathTo, subtree } from '../../web/src/lib/conversations/tree';
import { mergeConversations, MemoryConversationStore, type StoredConversation } from '../../web/src/lib/conversations/conversation-db';
import { fitHistory, type TryPrompt } from '../../web/src/lib/conversations/context-fit';
import { titleFrom } from '../../web/src/lib/state/conversations.svelte';
import { AppError } from '../../workers/lib/errors';
import { refuseOverContext, replyReserve } from '../../workers/lib/engine/context-limit';
import type { ChatMessage } from '../../workers/lib/templates/index';
import type { StoredMessage } from '../../web/src/lib/conversations/types';
import { DEFAULT_PARAMS } from '../../web/src/lib/settings';

const msg = (id: string, parentId: string | null, createdAt: number, role: 'user' | 'assistant' = 'user'): StoredMessage => ({
  id,
  parentId,
  createdAt,
  role,
  content: id,
  state: 'done',
});

// a → b → c, with b' (an edit of b) → c'
const tree = [msg('a', null, 1), msg('b', 'a', 2, 'assistant'), msg('c', 'b', 3), msg('b2', 'a', 4, 'assistant'), msg('c2', 'b2', 5)];

describe('the message tree', () => {
  it('walks the branch on screen from the root to the leaf', () => {
    expect(pathTo(tree, 'c').map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(pathTo(tree, 'c2').map((m) => m.id)).toEqual(['a', 'b2', 'c2']);
    expect(pathTo(tree, null)).toEqual([]);
  });

  it('a cycle in a damaged record ends the walk instead of looping', () => {
    const loop = [msg('x', 'y', 1), msg('y', 'x', 2)];
    expect(pathTo(loop, 'x').length).toBeLessThanOrEqual(3);
  });

  it('lists a message’s alternatives oldest first, and follows the newest branch under one', () => {
    expect(alternatives(tree, 'b2')).toEqual({ list: [tree[1], tree[3]], index: 1 });
    expect(latestLeaf(tree, 'a')).toBe('c2');
    expect(latestLeaf(tree, 'b')).toBe('c');
    expect([...subtree(tree, 'b')].sort()).toEqual(['b', 'c']);
  });
});

const conv = (messages: StoredMessage[], extra: Partial<StoredConversation> = {}): StoredConversation => ({
  id: 'k',
  title: 't',
  createdAt: 0,
  updatedAt: 10,
  systemPrompt: '',
  template: 'openchat',
  coding: false,
  model: null,
  params: { ...DEFAULT_PARAMS },
  messages,
  leafId: messages.at(-1)?.id ?? null,
  ...extra,
});

describe('two tabs writing one conversation', () => {
  it('keeps the messages of both sides', () => {
    const stored = conv([msg('a', null, 1), msg('b', 'a', 2)]);
    const ours = conv([msg('a', null, 1), msg('x', 'a', 3)]);
    const merged = mergeConversations(stored, ours);
    expect(merged.messages.map((m) => m.id)).toEqual(['a', 'b', 'x']);
    expect(merged.leafId).toBe('x');
  });

  it('a message one side deleted does not come back from the other', () => {
    const stored = conv([msg('a', null, 1), msg('b', 'a', 2)]);
    const ours = conv([msg('a', null, 1)], { deletedIds: ['b'] });
    expect(mergeConversations(stored, ours).messages.map((m) => m.id)).toEqual(['a']);
    // ...nor when the deleting side wrote first.
    expect(mergeConversations(mergeConversations(stored, ours), stored).messages.map((m) => m.id)).toEqual(['a']);
  });

  it('the in-memory store merges the same way and hands out copies', async () => {
    const store = new MemoryConversationStore();
    await store.save(conv([msg('a', null, 1)]));
    await store.save(conv([msg('b', null, 2)]));
    const got = await store.get('k');
    expect(got?.messages.map((m) => m.id)).toEqual(['a', 'b']);
    got!.title = 'changed';
    expect((await store.get('k'))?.title).toBe('t');
  });
});

describe('fitting a conversation into the context', () => {
  // One token per character, like the unit fakes; the "worker" refuses what does not fit.
  const tryPrompt: TryPrompt = (messages, fit) => {
    const text = messages.map((m) => m.content).join('');
    refuseOverContext(text.length, fit);
    return Promise.resolve({
      prompt: { text, messageRanges: [] } as never,
      tokenization: { text, ids: [...text].map(() => 1), pieces: [], detokenized: text, specialSpans: [], neutralized: [] } as never,
    });
  };
  const turns = (n: number, size: number): ChatMessage[] =>
    Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: String(i % 10).repeat(size) }) as ChatMessage);

  it('keeps everything that fits', async () => {
    const got = await fitHistory([], turns(5, 10), 10, 100, tryPrompt);
    expect(got.leftOut).toBe(0);
  });

  it('leaves out the oldest whole exchanges, keeps the system prompt and the newest turns', async () => {
    const system: ChatMessage[] = [{ role: 'system', content: 'S'.repeat(5) }];
    // A prompt may hold 75 - 20 = 55 tokens: the system prompt and five 10-token turns, from a user turn.
    const got = await fitHistory(system, turns(9, 10), 20, 75, tryPrompt);
    expect(got.leftOut).toBe(4);
    expect(got.tokenization.text.startsWith('SSSSS4444')).toBe(true);
    // Room for four turns only: still from a user turn (6), never from the reply before it (5).
    expect((await fitHistory(system, turns(9, 10), 25, 75, tryPrompt)).leftOut).toBe(6);
  });

  it('refuses, with the numbers, a newest message that cannot fit even alone', async () => {
    const err = await fitHistory([], [...turns(2, 5), { role: 'user', content: 'x'.repeat(90) }], 20, 100, tryPrompt).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('context-full');
    expect((err as AppError).message).toMatch(/needs 90 tokens, and the context holds 100, of which 20 stay free for the reply/);
  });

  it('reserves the reply’s length, at most a quarter of the context', () => {
    expect(replyReserve(256, 4096)).toBe(256);
    expect(replyReserve(256, 256)).toBe(64);
    expect(replyReserve(0, 256)).toBe(1);
  });
});

describe('conversation titles', () => {
  it('come from the first line of the first message, cut at a word', () => {
    expect(titleFrom('  Hello there\nsecond line')).toBe('Hello there');
    expect(titleFrom('')).toBe('New chat');
    const long = titleFrom('word '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(61);
    expect(long.endsWith('…')).toBe(true);
  });
});
