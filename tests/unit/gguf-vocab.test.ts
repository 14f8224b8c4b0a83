import { gguf } from '@huggingface/gguf';
import { mkdtempSync, openAsBlob, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kv, writeGguf, type KvMap } from '../../tools/models/gguf-writer';
import { STARCHAT_JINJA_TEMPLATE } from '../../tools/models/starchat-vocab';
import { OPENCHAT_JINJA_TEMPLATE } from '../../tools/models/openchat-vocab';
import { blobFetch } from '../fixtures/blob-fetch';
import { readGgufVocab } from '../../workers/lib/tokenizer/gguf-vocab';
import { detokenize, tokenize } from '../../workers/lib/tokenizer/index';
import { testModel } from '../fixtures/test-models';

const dir = mkdtempSync(join(tmpdir(), 'gguf-vocab-'));
const write = (name: string, kvs: KvMap): string => {
  const path = join(dir, name);
  writeGguf(path, { kv: kvs, tensors: [] });
  return path;
};

/** A Blob whose slices are recorded, to see how much of the file a reader touches. */
function recordingBlob(blob: Blob): { blob: Blob; maxEnd: () => number } {
  let maxEnd = 0;
  const proxy = {
    size: blob.size,
    type: blob.type,
    slice(start?: number, end?: number) {
      maxEnd = Math.max(maxEnd, end ?? blob.size);
      return blob.slice(start, end);
    },
  };
  return { blob: proxy as Blob, maxEnd: () => maxEnd }; // only size and slice are used by the reader
}

describe('readGgufVocab', () => {
  it('reads the demo model: exact token texts (U+FEFF kept), ids, flags, template, name', async () => {
    const path = testModel('demo').path;
    const rec = recordingBlob(await openAsBlob(path));
    const r = await readGgufVocab(rec.blob);
    expect(r.vocab.tokens[31759]).toBe('\uFEFF');
    expect(r.vocab.tokenToId.get('\uFEFF')).toBe(31759);
    // the library this replaces loses it
    const lib = await gguf('https://local.invalid/m.gguf', { fetch: blobFetch(new Blob([readFileSync(path)])) });
    expect((lib.metadata as Record<string, unknown>)['tokenizer.ggml.tokens']).toHaveProperty('31759', '');

    expect(r.vocab.model).toBe('llama');
    expect([r.vocab.bosId, r.vocab.eosId, r.vocab.eotId, r.vocab.unkId]).toEqual([1, 32000, 32000, 0]);
    expect([r.vocab.addBos, r.vocab.addEos, r.vocab.addSpacePrefix]).toEqual([true, false, true]);
    expect(r.chatTemplate).toBe(OPENCHAT_JINJA_TEMPLATE);
    expect(r.name).toBe('Starling Playground demo (scripted)');
    expect(r.architecture).toBe('llama');
    expect(rec.maxEnd()).toBeLessThan(rec.blob.size); // the header only
  });

  it('reads the BPE model: merges, StarChat tokens, <|end|> as EOS/EOT, the header only', async () => {
    const rec = recordingBlob(await openAsBlob(testModel('bpe').path));
    const { vocab, chatTemplate } = await readGgufVocab(rec.blob);
    expect(vocab.model).toBe('gpt2');
    expect(vocab.pre).toBe('starcoder');
    expect(vocab.merges).toHaveLength(50000);
    expect(vocab.merges[0]).toEqual(['Ġ', 't']);
    const end = vocab.tokenToId.get('<|end|>')!;
    expect([vocab.eosId, vocab.eotId]).toEqual([end, end]);
    expect(vocab.eogIds.has(end)).toBe(true);
    expect(vocab.addBos).toBe(false);
    expect(chatTemplate).toBe(STARCHAT_JINJA_TEMPLATE);
    expect(rec.maxEnd()).toBeLessThan(rec.blob.size / 2);

    const ids = tokenize(vocab, '<|user|>\nHello world<|end|>\n<|assistant|>');
    expect(ids.slice(0, 4)).toEqual([vocab.tokenToId.get('<|user|>'), 198, 15496, 995]);
    expect(detokenize(vocab, ids)).toBe('\nHello world\n');
    expect(detokenize(vocab, ids, { special: true })).toBe('<|user|>\nHello world<|end|>\n<|assistant|>');
  });

  it("applies llama.cpp's defaults when a SentencePiece GGUF leaves keys out", async () => {
    const tokens = ['<unk>', '<s>', '</s>', '▁a', 'a', '▁'];
    const { vocab, chatTemplate, name } = await readGgufVocab(
      await openAsBlob(write('spm-min.gguf', { 'tokenizer.ggml.model': kv.str('llama'), 'tokenizer.ggml.tokens': kv.strs(tokens) })),
    );
    expect([vocab.bosId, vocab.eosId, vocab.unkId, vocab.eotId]).toEqual([1, 2, 0, null]);
    expect([vocab.addBos, vocab.addEos, vocab.addSpacePrefix]).toEqual([true, false, true]);
    expect([chatTemplate, name]).toEqual([null, null]);
    expect(tokenize(vocab, 'a')).toEqual([1, 3]);
  });

  it("applies llama.cpp's BPE defaults: pre 'default', no BOS, ids 11 only when in range", async () => {
    const small = ['a', 'b', 'ab'];
    const base = { 'tokenizer.ggml.model': kv.str('gpt2'), 'tokenizer.ggml.merges': kv.strs(['a b']) };
    const v1 = (await readGgufVocab(await openAsBlob(write('bpe-min.gguf', { ...base, 'tokenizer.ggml.tokens': kv.strs(small) }))))
      .vocab;
    expect([v1.pre, v1.bosId, v1.eosId, v1.addBos, v1.addSpacePrefix]).toEqual(['default', null, null, false, false]);
    expect(tokenize(v1, 'abab')).toEqual([2, 2]);

    const many = [...small, ...Array.from({ length: 20 }, (_, i) => `t${i}`)];
    const v2 = (await readGgufVocab(await openAsBlob(write('bpe-20.gguf', { ...base, 'tokenizer.ggml.tokens': kv.strs(many) }))))
      .vocab;
    expect([v2.bosId, v2.eosId]).toEqual([11, 11]);
  });

  it('refuses what it cannot tokenize', async () => {
    await expect(readGgufVocab(new Blob(['not a gguf at all, just text']))).rejects.toThrow(/not a GGUF/);
    const t5 = write('t5.gguf', { 'tokenizer.ggml.model': kv.str('t5'), 'tokenizer.ggml.tokens': kv.strs(['a']) });
    await expect(readGgufVocab(await openAsBlob(t5))).rejects.toThrow(/"t5" is not supported/);
    const odd = write('odd-pre.gguf', {
      'tokenizer.ggml.model': kv.str('gpt2'),
      'tokenizer.ggml.pre': kv.str('deepseek-coder'),
      'tokenizer.ggml.tokens': kv.strs(['a']),
      'tokenizer.ggml.merges': kv.strs([]),
    });
    const { vocab } = await readGgufVocab(await openAsBlob(odd));
    expect(() => tokenize(vocab, 'a')).toThrow(/pre-tokenizer "deepseek-coder" is not supported/);
  });
});
