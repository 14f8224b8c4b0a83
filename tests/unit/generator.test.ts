import { gguf } from '@huggingface/gguf';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectGguf } from '../../workers/lib/gguf/inspect';
import { blobFetch } from '../fixtures/blob-fetch';
import { MODELS } from '../../tools/models/catalog';
import { writeGguf } from '../../tools/models/gguf-writer';
import { llamaSpec } from '../../tools/models/llama-model';
import { openChatVocab, openChatVocabKv, OPENCHAT_JINJA_TEMPLATE } from '../../tools/models/openchat-vocab';
import { GgmlType } from '../../tools/models/quant';
import { testModel } from '../fixtures/test-models';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const parse = async (path: string) => {
  const bytes = readFileSync(path);
  return { bytes, parsed: await gguf('https://local.invalid/m.gguf', { fetch: blobFetch(new Blob([bytes])) }) };
};

describe('the OpenChat vocabulary', () => {
  const v = openChatVocab();
  it('has 32002 tokens with the OpenChat special tokens at their ids', () => {
    expect(v.tokens).toHaveLength(32002);
    expect(v.tokens[0]).toBe('<unk>');
    expect(v.tokens[1]).toBe('<s>');
    expect(v.tokens[2]).toBe('</s>');
    expect(v.tokens[3]).toBe('<0x00>');
    expect(v.tokens[258]).toBe('<0xFF>');
    expect(v.tokens[32000]).toBe('<|end_of_turn|>');
    expect(v.tokens[32001]).toBe('<|pad_0|>');
    expect(v.tokens[31759]).toBe('\uFEFF');
  });
  it('types and scores follow GUIDE.md §4', () => {
    expect([v.types[0], v.types[1], v.types[2], v.types[3], v.types[258], v.types[259], v.types[32000], v.types[32001]]).toEqual([
      2, 3, 3, 6, 6, 1, 3, 3,
    ]);
    expect(v.scores[258]).toBe(0);
    expect(v.scores[28705]).toBe(-1e9);
    expect(v.scores[22557]).toBe(-(22557 - 259));
  });
});

describe('generated GGUF files', () => {
  let demo: Awaited<ReturnType<typeof parse>>;
  beforeAll(async () => {
    demo = await parse(testModel('demo').path);
  });

  it('parse with @huggingface/gguf as llama models with the OpenChat vocabulary', () => {
    const m = demo.parsed.metadata as Record<string, unknown>;
    expect(m['general.architecture']).toBe('llama');
    expect((m['tokenizer.ggml.tokens'] as string[]).length).toBe(32002);
    expect(m['tokenizer.ggml.model']).toBe('llama');
    expect(m['tokenizer.ggml.bos_token_id']).toBe(1);
    expect(m['tokenizer.ggml.eos_token_id']).toBe(32000);
    expect(m['tokenizer.ggml.eot_token_id']).toBe(32000);
    expect(m['tokenizer.chat_template']).toBe(OPENCHAT_JINJA_TEMPLATE);
    expect(demo.parsed.tensorInfos.map((t) => t.name)).toContain('token_embd.weight');
    expect(demo.parsed.tensorInfos.find((t) => t.name === 'output.weight')?.shape.map(Number)).toEqual([64, 32002]);
  });

  it('are exactly as long as their tensors need, with 32-byte aligned data', async () => {
    const s = await inspectGguf(new Blob([demo.bytes]));
    expect(Number(demo.parsed.tensorDataOffset) % 32).toBe(0);
    expect(demo.bytes.length).toBeGreaterThanOrEqual(s.expectedBytes);
    expect(demo.bytes.length - s.expectedBytes).toBeLessThan(32);
  });

  it('write F32, F16, Q8_0 and Q4_0 tensors that parse with the right types and sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
    for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0]) {
      const path = join(dir, `m${type}.gguf`);
      const size = writeGguf(
        path,
        llamaSpec({
          name: 'tiny',
          shape: { vocab: 32002, dim: 64, layers: 1, heads: 2, kvHeads: 2, ff: 128, ctx: 512 },
          types: { embedding: type, output: type, layers: type },
          weights: () => 'random',
          vocabKv: openChatVocabKv({ chatTemplate: null }),
        }),
      );
      const { parsed } = await parse(path);
      expect(parsed.tensorInfos.find((t) => t.name === 'blk.0.attn_q.weight')?.dtype).toBe(type);
      expect(parsed.metadata).not.toHaveProperty('tokenizer.chat_template');
      expect((await inspectGguf(new Blob([readFileSync(path)]))).expectedBytes).toBeLessThanOrEqual(size);
    }
  });

  it('the demo model embeds the reply text it is scripted with', () => {
    expect(MODELS.demo.reply).toContain('Starling-LM-7B');
    expect(MODELS.demo.reply).toContain('demo');
  });
});
