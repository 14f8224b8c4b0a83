import { describe, expect, it } from 'vitest';
import { detokenize, tokenize } from '../../workers/lib/tokenizer/index';
import { openChatTokenizerVocab } from '../../tools/models/scripted';

// The three asserts of the Starling-LM-7B-alpha model card, verbatim.
const CARD = [
  {
    name: 'single-turn',
    text: 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:',
    ids: [1, 420, 6316, 28781, 3198, 3123, 1247, 28747, 22557, 32000, 420, 6316, 28781, 3198, 3123, 21631, 28747],
  },
  {
    name: 'multi-turn',
    text: 'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: Hi<|end_of_turn|>GPT4 Correct User: How are you today?<|end_of_turn|>GPT4 Correct Assistant:',
    ids: [
      1, 420, 6316, 28781, 3198, 3123, 1247, 28747, 22557, 32000, 420, 6316, 28781, 3198, 3123, 21631, 28747, 15359, 32000, 420,
      6316, 28781, 3198, 3123, 1247, 28747, 1602, 460, 368, 3154, 28804, 32000, 420, 6316, 28781, 3198, 3123, 21631, 28747,
    ],
  },
  {
    name: 'coding mode',
    text: 'Code User: Implement quicksort using C++<|end_of_turn|>Code Assistant:',
    ids: [1, 7596, 1247, 28747, 26256, 2936, 7653, 1413, 334, 1680, 32000, 7596, 21631, 28747],
  },
];

describe('the SentencePiece tokenizer on the OpenChat vocabulary', () => {
  const vocab = openChatTokenizerVocab();
  for (const c of CARD) {
    it(`reproduces the model card's ${c.name} assert`, () => {
      expect(tokenize(vocab, c.text)).toEqual(c.ids);
    });
  }

  it('does not parse special-token text when parse_special is off', () => {
    const ids = tokenize(vocab, 'a<|end_of_turn|>b', { parseSpecial: false });
    expect(ids).not.toContain(32000);
  });

  it('falls back to byte tokens for characters outside the vocabulary and decodes them back', () => {
    const ids = tokenize(vocab, 'bird 🐦', { addSpecial: false });
    expect(ids.slice(-4)).toEqual([243, 162, 147, 169]); // <0xF0> <0x9F> <0x90> <0xA6>
    expect(detokenize(vocab, ids)).toBe(' bird 🐦');
  });

  it('tokenizing message text separately does not reproduce the card (why prompts are tokenized whole)', () => {
    const whole = tokenize(vocab, CARD[0].text);
    const parts = [
      ...tokenize(vocab, 'GPT4 Correct User:'),
      ...tokenize(vocab, ' Hello', { addSpecial: false }),
      32000,
      ...tokenize(vocab, 'GPT4 Correct Assistant:', { addSpecial: false }),
    ];
    expect(parts).not.toEqual(whole);
  });
});
