/**
 * The three token-id asserts of the Starling-LM-7B model card (single-turn, multi-turn, coding
 * mode), run with the app's tokenizer on a loaded vocabulary.
 */
import { tokenize, type Vocab } from './index';

/** The model card's token-id asserts, run with the app's tokenizer on the loaded vocabulary. */
export interface TemplateCheck {
  status: 'pass' | 'fail' | 'n/a';
  passed: number;
  total: number;
  results: { name: string; text: string; expected: number[]; actual: number[]; pass: boolean }[];
}

export const CARD_ASSERTS: { name: string; text: string; expected: number[] }[] = [
  {
    name: 'Single-turn',
    text: 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:',
    expected: [1, 420, 6316, 28781, 3198, 3123, 1247, 28747, 22557, 32000, 420, 6316, 28781, 3198, 3123, 21631, 28747],
  },
  {
    name: 'Multi-turn',
    text: 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: Hi<|end_of_turn|>GPT4 Correct User: How are you today?<|end_of_turn|>GPT4 Correct Assistant:',
    expected: [
      1, 420, 6316, 28781, 3198, 3123, 1247, 28747, 22557, 32000, 420, 6316, 28781, 3198, 3123, 21631, 28747, 15359, 32000,
      420, 6316, 28781, 3198, 3123, 1247, 28747, 1602, 460, 368, 3154, 28804, 32000, 420, 6316, 28781, 3198, 3123, 21631,
      28747,
    ],
  },
  {
    name: 'Coding mode',
    text: 'Code User: Implement quicksort using C++<|end_of_turn|>Code Assistant:',
    expected: [1, 7596, 1247, 28747, 26256, 2936, 7653, 1413, 334, 1680, 32000, 7596, 21631, 28747],
  },
];

export function runCardCheck(vocab: Vocab): TemplateCheck {
  const total = CARD_ASSERTS.length;
  if (vocab.model !== 'llama' || vocab.tokenToId.get('<|end_of_turn|>') !== 32000) {
    return { status: 'n/a', passed: 0, total, results: [] };
  }
  const results = CARD_ASSERTS.map((a) => {
    const actual = tokenize(vocab, a.text, { addSpecial: true, parseSpecial: true });
    return { ...a, actual, pass: actual.length === a.expected.length && actual.every((id, i) => id === a.expected[i]) };
  });
  const passed = results.filter((r) => r.pass).length;
  return { status: passed === total ? 'pass' : 'fail', passed, total, results };
}
