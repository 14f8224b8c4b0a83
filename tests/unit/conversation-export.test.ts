import { describe, expect, it } from 'vitest';
import {
  exportConversations,
  exportFileName,
  ImportError,
  parseConversationImport,
  titleSlug,
  withFreshIds,
} from '../../web/src/lib/conversations/export-import';
import { CONVERSATION_SCHEMA_VERSION, type Conversation } from '../../web/src/lib/conversations/types';
import { sampleConversation } from './conversation-export-fixture';

const NOW = new Date('2026-12-01T20:30:00Z');

function second(): Conversation {
  return { ...sampleConversation(), id: 'c2', title: 'Other', model: null, template: 'starchat', coding: true, systemPrompt: '' };
}

/** An export of two conversations as plain JSON data, for a test to break one field of. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests reach into arbitrary JSON to break it
const file = (): Json => JSON.parse(JSON.stringify(exportConversations([sampleConversation(), second()], NOW))) as Json;

function refusal(text: string): string {
  try {
    parseConversationImport(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ImportError);
    return (err as Error).message;
  }
  throw new Error('the import was accepted');
}
const refuse = (change: (f: Json) => void): string => {
  const f = file();
  change(f);
  return refusal(JSON.stringify(f));
};

describe('the export file', () => {
  it('names the app, the schema version, and keeps each conversation’s model and template', () => {
    const out = exportConversations([sampleConversation()], NOW);
    expect(out).toMatchObject({ app: 'starling-playground', kind: 'conversations', schemaVersion: CONVERSATION_SCHEMA_VERSION, exportedAt: '2026-12-01T20:30:00.000Z' });
    expect(out.conversations[0].model).toEqual(sampleConversation().model);
    expect(out.conversations[0].template).toBe('openchat');
  });

  it('round-trips: export → JSON text → import gives the same conversations', () => {
    const convs = [sampleConversation(), second()];
    expect(parseConversationImport(JSON.stringify(exportConversations(convs, NOW)))).toEqual(convs);
  });

  it('leaves a stored record’s bookkeeping (deletedIds) out of the file', () => {
    const stored = { ...sampleConversation(), deletedIds: ['m9'] };
    expect(exportConversations([stored], NOW).conversations[0]).toEqual(sampleConversation());
    expect(JSON.stringify(exportConversations([stored], NOW))).not.toContain('deletedIds');
  });

  it('a single-conversation file is the same envelope with one conversation', () => {
    expect(parseConversationImport(JSON.stringify(exportConversations([second()], NOW)))).toEqual([second()]);
  });

  it('file names: the title as a slug and the date for one, "starling-chats" for all', () => {
    expect(exportFileName(sampleConversation(), NOW)).toBe('starling-chat-creme-brulee-and-more-2026-12-01.json');
    expect(exportFileName(null, NOW)).toBe('starling-chats-2026-12-01.json');
    expect(titleSlug('日本語')).toBe('untitled');
    expect(titleSlug('x'.repeat(100))).toHaveLength(40);
  });
});

describe('an import is refused, with a message that says what is wrong', () => {
  it('not JSON', () => {
    expect(refusal('{"app": "starling-playground",')).toMatch(/^The file is not valid JSON/);
  });
  it('JSON that is not an object', () => {
    expect(refusal('[1,2]')).toMatch(/holds no JSON object/);
  });
  it('another app’s file', () => {
    expect(refuse((f) => (f.app = 'other-chat'))).toMatch(/not exported by Starling Playground/);
  });
  it('another kind of file', () => {
    expect(refuse((f) => (f.kind = 'settings'))).toMatch(/not a conversation export/);
  });
  it('a newer schema version', () => {
    expect(refuse((f) => (f.schemaVersion = CONVERSATION_SCHEMA_VERSION + 1))).toMatch(/made by a newer version of the app/);
  });
  it('a schema version that is no version', () => {
    expect(refuse((f) => (f.schemaVersion = '1'))).toBe('The file: schemaVersion must be a number');
    expect(refuse((f) => (f.schemaVersion = 0))).toBe('The file: schemaVersion must be at least 1 (it is 0)');
  });
  it('no conversations, or conversations that are not a list', () => {
    expect(refuse((f) => (f.conversations = []))).toBe('The file holds no conversations.');
    expect(refuse((f) => (f.conversations = {}))).toBe('The file: conversations must be a list');
  });
  it('a text larger than the limit', () => {
    expect(refusal(' '.repeat(50 * 1024 * 1024 + 1))).toMatch(/larger than 50 MB/);
  });
  it('a conversation that is not an object', () => {
    expect(refuse((f) => (f.conversations[1] = 'x'))).toBe('Conversation 2: must be an object');
  });
  it('each conversation field’s type', () => {
    expect(refuse((f) => delete f.conversations[0].id)).toBe('Conversation 1: id must be a string');
    expect(refuse((f) => (f.conversations[0].id = ''))).toBe('Conversation 1: id must not be empty');
    expect(refuse((f) => (f.conversations[1].title = 5))).toBe('Conversation 2: title must be a string');
    expect(refuse((f) => (f.conversations[0].createdAt = 'yesterday'))).toBe('Conversation 1: createdAt must be a number');
    expect(refuse((f) => (f.conversations[0].updatedAt = -1))).toBe('Conversation 1: updatedAt must be at least 0 (it is -1)');
    expect(refuse((f) => (f.conversations[0].systemPrompt = null))).toBe('Conversation 1: systemPrompt must be a string');
    expect(refuse((f) => (f.conversations[0].coding = 'no'))).toBe('Conversation 1: coding must be true or false');
    expect(refuse((f) => (f.conversations[0].titleEdited = 1))).toBe('Conversation 1: titleEdited must be true or false');
    expect(refuse((f) => (f.conversations[0].messages = null))).toBe('Conversation 1: messages must be a list');
  });
  it('strings beyond their bounds', () => {
    expect(refuse((f) => (f.conversations[0].title = 't'.repeat(1001)))).toBe('Conversation 1: title is longer than 1000 characters');
    expect(refuse((f) => (f.conversations[0].messages[0].id = 'i'.repeat(201)))).toBe('Conversation 1, message 1: id is longer than 200 characters');
  });
  it('a template the app does not know', () => {
    expect(refuse((f) => (f.conversations[0].template = 'chatml'))).toBe('Conversation 1: template must be openchat, starchat, raw, or gguf');
  });
  it('the model: its spec, label and hash', () => {
    expect(refuse((f) => (f.conversations[0].model = 'starling'))).toBe('Conversation 1: model must be an object');
    expect(refuse((f) => (f.conversations[0].model.spec = 3))).toBe('Conversation 1, model: spec must be a string');
    expect(refuse((f) => delete f.conversations[0].model.label)).toBe('Conversation 1, model: label must be a string');
    expect(refuse((f) => (f.conversations[0].model.sha256 = 'abc'))).toBe('Conversation 1, model: sha256 must be 64 lowercase hex digits');
  });
  it('params outside the settings’ ranges, or missing', () => {
    expect(refuse((f) => (f.conversations[1].params.temperature = 9))).toBe('Conversation 2, params: temperature must be between 0 and 5 (it is 9)');
    expect(refuse((f) => (f.conversations[0].params.top_k = 2.5))).toBe('Conversation 1, params: top_k must be a whole number');
    expect(refuse((f) => (f.conversations[0].params.seed = -5))).toBe('Conversation 1, params: seed must be at least 0 (it is -5)');
    expect(refuse((f) => delete f.conversations[0].params.max_tokens)).toBe('Conversation 1, params: max_tokens must be a number');
    expect(refuse((f) => (f.conversations[0].params = null))).toBe('Conversation 1: params must be an object');
  });
  it('each message field: role, state, content, times, error', () => {
    expect(refuse((f) => (f.conversations[1].messages[4].role = 'system'))).toBe('Conversation 2, message 5: role must be user or assistant');
    expect(refuse((f) => (f.conversations[0].messages[1].state = 'streaming'))).toBe('Conversation 1, message 2: state must be done, stopped, or error');
    expect(refuse((f) => (f.conversations[0].messages[0].content = ['Hello']))).toBe('Conversation 1, message 1: content must be a string');
    expect(refuse((f) => (f.conversations[0].messages[0].createdAt = null))).toBe('Conversation 1, message 1: createdAt must be a number');
    expect(refuse((f) => (f.conversations[0].messages[4].error = {}))).toBe('Conversation 1, message 5: error must be a string');
    expect(refuse((f) => (f.conversations[0].messages[2] = 7))).toBe('Conversation 1, message 3: must be an object');
  });
  it('a reply’s stats and token check', () => {
    expect(refuse((f) => (f.conversations[0].messages[1].stats.backend = 'tpu'))).toBe('Conversation 1, message 2, stats: backend must be cpu or webgpu');
    expect(refuse((f) => (f.conversations[0].messages[1].stats.genTps = 'fast'))).toBe('Conversation 1, message 2, stats: genTps must be a number');
    expect(refuse((f) => (f.conversations[0].messages[1].tokenCheck.ok = 'yes'))).toBe('Conversation 1, message 2, tokenCheck: ok must be true or false');
    expect(refuse((f) => (f.conversations[0].messages[1].tokenCheck.engine = 1.5))).toBe('Conversation 1, message 2, tokenCheck: engine must be a whole number');
    expect(refuse((f) => (f.conversations[0].messages[1].leftOut = -2))).toBe('Conversation 1, message 2: leftOut must be between 0 and 20000 (it is -2)');
  });
  it('the tree: repeated ids, parents and leaf outside the conversation, cycles', () => {
    expect(refuse((f) => (f.conversations[0].messages[3].id = 'm1'))).toBe('Conversation 1, message 4: id "m1" is used by another message');
    expect(refuse((f) => (f.conversations[0].messages[3].parentId = 'zz'))).toBe('Conversation 1, message 4: parentId "zz" names no message of this conversation');
    expect(refuse((f) => (f.conversations[0].leafId = 'zz'))).toBe('Conversation 1: leafId "zz" names no message of this conversation');
    expect(
      refuse((f) => {
        f.conversations[0].messages[0].parentId = 'm4'; // m1 → m4 → m3 → m1
      }),
    ).toBe('Conversation 1, message 1: its parents form a cycle');
    expect(refuse((f) => (f.conversations[0].messages[0].parentId = 'm1'))).toBe('Conversation 1, message 1: its parents form a cycle');
  });
  it('two conversations with one id', () => {
    expect(refuse((f) => (f.conversations[1].id = 'c1'))).toBe('Conversation 2: id "c1" is also the id of conversation 1');
  });
});

describe('what an import keeps', () => {
  it('only the known fields: extra ones (and "__proto__") are dropped, not stored', () => {
    const text = JSON.stringify(file()).replace('"title":"Other"', '"title":"Other","evil":"<script>","__proto__":{"polluted":true}');
    const [, conv] = parseConversationImport(text);
    expect(Object.keys(conv)).not.toContain('evil');
    expect((conv as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('an empty conversation (no messages, no leaf) is valid', () => {
    const f = file();
    f.conversations[0].messages = [];
    f.conversations[0].leafId = null;
    expect(parseConversationImport(JSON.stringify(f))[0]).toMatchObject({ messages: [], leafId: null });
  });
});

describe('fresh ids for an import', () => {
  it('renames the conversation and every message, keeping the tree and the branch on screen', () => {
    let n = 0;
    const conv = sampleConversation();
    const fresh = withFreshIds(conv, () => `n${++n}`);
    const oldIds = new Set([conv.id, ...conv.messages.map((m) => m.id)]);
    expect(oldIds.has(fresh.id)).toBe(false);
    for (const m of fresh.messages) expect(oldIds.has(m.id)).toBe(false);
    // The same tree under new names: each parent maps to the renamed parent, the leaf to the renamed leaf.
    const rename = new Map(conv.messages.map((m, i) => [m.id, fresh.messages[i].id]));
    conv.messages.forEach((m, i) => {
      expect(fresh.messages[i].parentId).toBe(m.parentId === null ? null : rename.get(m.parentId));
      expect({ ...fresh.messages[i], id: m.id, parentId: m.parentId }).toEqual(m);
    });
    expect(fresh.leafId).toBe(rename.get('m5'));
    expect({ ...fresh, id: conv.id, messages: conv.messages, leafId: conv.leafId }).toEqual(conv);
    expect(sampleConversation()).toEqual(conv); // the input is not changed
  });
  it('uses random UUIDs by default: two imports of one file do not collide', () => {
    const a = withFreshIds(sampleConversation());
    const b = withFreshIds(sampleConversation());
    expect(a.id).not.toBe(b.id);
    expect(a.messages[0].id).not.toBe(b.messages[0].id);
  });
});
