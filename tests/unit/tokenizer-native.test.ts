/**
 * Differential tests: the app's tokenizer against native llama.cpp (node-llama-cpp, installed in
 * tests/native by tools/ensure-native.ts) on a seeded corpus of awkward strings, for the OpenChat
 * SentencePiece vocabulary, the StarChat-style GPT-2 BPE vocabulary, and vocabulary-only variants.
 * Both sides read the same generated GGUF files; the app's side reads them with readGgufVocab.
 */
import { openAsBlob } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_ASSERTS } from '../../workers/lib/tokenizer/card-check';
import { llamaDetokenize } from '../../workers/lib/tokenizer/detokenize';
import { readGgufVocab, type GgufVocab } from '../../workers/lib/tokenizer/gguf-vocab';
import { tokenize } from '../../workers/lib/tokenizer/index';
import { loadNativeVocab, nativeInstalled, type NativeModel } from '../fixtures/native-llama';
import { tokenizerCorpus } from '../fixtures/tokenizer-corpus';
import { writeVocabVariants } from '../fixtures/tokenizer-models';
import { testModel } from '../fixtures/test-models';

const MAIN_CORPUS = 5000; // generated strings per main vocabulary (plus ~300 hand-picked ones)
const VARIANT_CORPUS = 1500;

interface Target {
  label: string;
  kind: 'spm' | 'bpe';
  path: string;
  corpus: number;
}

interface Loaded {
  app: GgufVocab;
  native: NativeModel;
  strings: string[];
  generated: number;
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Mismatch reports (string JSON-escaped, both id arrays), at most `max`, and how many there were. */
function compareTokens(t: Loaded, parseSpecial: boolean, max = 10): { count: number; reports: string[] } {
  const reports: string[] = [];
  let count = 0;
  for (const s of t.strings) {
    const mine = tokenize(t.app.vocab, s, { addSpecial: false, parseSpecial });
    const ref = t.native.tokenize(s, parseSpecial);
    if (same(mine, ref)) continue;
    if (count++ < max) reports.push(`${JSON.stringify(s)}\n  app:    ${JSON.stringify(mine)}\n  native: ${JSON.stringify([...ref])}`);
  }
  return { count, reports };
}

describe('the tokenizer against native llama.cpp', () => {
  const loaded = new Map<string, Loaded>();
  const targets: Target[] = [];

  beforeAll(async () => {
    if (!nativeInstalled()) throw new Error('tests/native is not installed: run `npx tsx tools/ensure-native.ts`');
    targets.push(
      { label: 'OpenChat SPM (demo model)', kind: 'spm', path: testModel('demo').path, corpus: MAIN_CORPUS },
      { label: 'StarChat-style BPE (bpe model, pre=starcoder)', kind: 'bpe', path: testModel('bpe').path, corpus: MAIN_CORPUS },
      ...writeVocabVariants().map((v) => ({ ...v, corpus: VARIANT_CORPUS })),
    );
    for (const t of targets) {
      const app = await readGgufVocab(await openAsBlob(t.path));
      const native = await loadNativeVocab(t.path);
      loaded.set(t.label, { app, native, strings: tokenizerCorpus(t.kind, t.corpus, 1234), generated: t.corpus });
    }
  });

  afterAll(async () => {
    for (const t of loaded.values()) await t.native.dispose();
  });

  const labels = [
    'OpenChat SPM (demo model)',
    'StarChat-style BPE (bpe model, pre=starcoder)',
    'bpe pre=gpt-2',
    'bpe pre=default',
    'bpe pre=llama3',
    'bpe pre=qwen2',
    'bpe with missing merge results',
    'spm named Phi-3 (right-stripped specials)',
    'spm without space prefix',
  ];

  for (const label of labels) {
    for (const parseSpecial of [true, false]) {
      it(`${label}: every corpus string gives llama.cpp's ids (parse_special ${parseSpecial ? 'on' : 'off'})`, () => {
        const t = loaded.get(label);
        if (!t) throw new Error(`no target ${label}`);
        const { count, reports } = compareTokens(t, parseSpecial);
        if (count > 0) console.error(`${label}: ${count} of ${t.strings.length} strings differ\n${reports.join('\n')}`);
        expect(count, `${count} of ${t.strings.length} strings differ`).toBe(0);
        expect(t.strings.length).toBeGreaterThan(t.generated);
      });
    }
  }

  it("decodes llama.cpp's ids to llama_detokenize's text, with and without special tokens", () => {
    for (const label of labels) {
      const t = loaded.get(label)!;
      let bad = 0;
      for (const s of t.strings.slice(0, 2000)) {
        const ids = t.native.tokenize(s, true);
        for (const unparse of [true, false]) {
          const mine = llamaDetokenize(t.app.vocab, ids, { unparseSpecial: unparse });
          const ref = t.native.detokenize(ids, unparse);
          if (mine !== ref && bad++ < 5) console.error(`${label}: ${JSON.stringify(s)}\n  app:    ${JSON.stringify(mine)}\n  native: ${JSON.stringify(ref)}`);
        }
      }
      expect(bad, label).toBe(0);
    }
  });

  it("reproduces the Starling card's three arrays from the demo GGUF's own header, as llama.cpp does", () => {
    const t = loaded.get('OpenChat SPM (demo model)')!;
    const bos = t.app.vocab.bosId!;
    for (const a of CARD_ASSERTS) {
      expect(tokenize(t.app.vocab, a.text), a.name).toEqual(a.expected);
      expect([bos, ...t.native.tokenize(a.text, true)], a.name).toEqual(a.expected);
    }
  });

  it('adds BOS only where the vocabulary asks for it', () => {
    const spm = loaded.get('OpenChat SPM (demo model)')!.app.vocab;
    const bpe = loaded.get('StarChat-style BPE (bpe model, pre=starcoder)')!.app.vocab;
    const llama3 = loaded.get('bpe pre=llama3')!.app.vocab;
    expect(tokenize(spm, 'Hi')).toEqual([1, ...tokenize(spm, 'Hi', { addSpecial: false })]);
    expect(tokenize(bpe, 'Hi')).toEqual(tokenize(bpe, 'Hi', { addSpecial: false }));
    // llama3 pre-tokenizers turn add_bos on, but the file's add_bos_token = false wins.
    expect(llama3.addBos).toBe(false);
  });
});
