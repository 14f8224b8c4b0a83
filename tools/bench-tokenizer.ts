/**
 * `npx tsx tools/bench-tokenizer.ts`: median time to tokenize a realistic ~3,072-token chat prompt
 * with the app's tokenizer (SentencePiece on the OpenChat vocabulary, byte-level BPE on the
 * StarChat-style vocabulary), after warm-up. Node stands in for the browser worker (same engine).
 */
import { openChatTokenizerVocab } from './models/scripted';
import { starChatVocabSource } from './models/starchat-vocab';
import { buildVocab, tokenize, type Vocab } from '../workers/lib/tokenizer/index';

const PARAGRAPHS = [
  'Implement quicksort using C++. Explain the partition step, the choice of pivot, and why the average running time is O(n log n) while the worst case is quadratic.',
  "Sure! Here's a compact version:\n\n```cpp\n#include <vector>\n#include <utility>\n\nvoid quicksort(std::vector<int>& a, int lo, int hi) {\n    if (lo >= hi) return;\n    int p = a[(lo + hi) / 2], i = lo, j = hi;\n    while (i <= j) {\n        while (a[i] < p) i++;\n        while (a[j] > p) j--;\n        if (i <= j) std::swap(a[i++], a[j--]);\n    }\n    quicksort(a, lo, j);\n    quicksort(a, i, hi);\n}\n```",
  'The partition step moves every element smaller than the pivot to its left and every larger one to its right. Picking the middle element avoids the quadratic case on already sorted input, though a median-of-three pivot is more robust.',
  "Could you also write it in Python, and compare it with merge sort? I'd like to know which one is faster on 10,000,000 random integers, and why caches matter here.",
  'Les élèves ont étudié l’algorithme — très efficace! Привет, как дела? 你好，世界。 Emojis too: 🐦👍🏽🇯🇵.',
];

function openChatPrompt(targetTokens: number, vocab: Vocab): string {
  let prompt = '';
  for (let turn = 0; ; turn++) {
    const user = PARAGRAPHS[turn % PARAGRAPHS.length];
    const reply = PARAGRAPHS[(turn + 1) % PARAGRAPHS.length];
    const next = `${prompt}GPT4 Correct User: ${user}<|end_of_turn|>GPT4 Correct Assistant: ${reply}<|end_of_turn|>`;
    if (tokenize(vocab, next).length > targetTokens) return `${prompt}GPT4 Correct User: ${user}<|end_of_turn|>GPT4 Correct Assistant:`;
    prompt = next;
  }
}

function starChatPrompt(targetTokens: number, vocab: Vocab): string {
  let prompt = '<|system|>\n<|end|>\n';
  for (let turn = 0; ; turn++) {
    const user = PARAGRAPHS[turn % PARAGRAPHS.length];
    const reply = PARAGRAPHS[(turn + 1) % PARAGRAPHS.length];
    const next = `${prompt}<|user|>\n${user}<|end|>\n<|assistant|>\n${reply}<|end|>\n`;
    if (tokenize(vocab, next).length > targetTokens) return `${prompt}<|user|>\n${user}<|end|>\n<|assistant|>`;
    prompt = next;
  }
}

function median(fn: () => void, runs = 20, warmup = 10): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return (times[(runs - 1) >> 1] + times[runs >> 1]) / 2;
}

const spm = openChatTokenizerVocab();
const bpeSource = starChatVocabSource();
const bpe = buildVocab(bpeSource);

for (const [label, vocab, prompt] of [
  ['SPM (OpenChat)', spm, openChatPrompt(3072, spm)],
  ['BPE (StarChat-style, starcoder pre)', bpe, starChatPrompt(3072, bpe)],
] as const) {
  const tokens = tokenize(vocab, prompt).length;
  const ms = median(() => tokenize(vocab, prompt));
  console.log(`${label}: ${tokens} tokens, ${prompt.length} chars, median ${ms.toFixed(2)} ms`);
}

// BPE keeps a per-vocabulary word cache and builds its merge tables on first use: time that too.
const cold: number[] = [];
const bpePrompt = starChatPrompt(3072, bpe);
for (let i = 0; i < 5; i++) {
  const fresh = buildVocab(bpeSource);
  const t0 = performance.now();
  tokenize(fresh, bpePrompt);
  cold.push(performance.now() - t0);
}
cold.sort((a, b) => a - b);
console.log(`BPE first prompt on a fresh vocabulary (merge tables + cold word cache): median ${cold[2].toFixed(2)} ms`);
