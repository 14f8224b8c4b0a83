import { describe, expect, it } from 'vitest';
import { renderOpenChat } from '../../workers/lib/templates/openchat';

describe('the OpenChat / Starling template', () => {
  it('renders a single turn exactly as the model card', () => {
    expect(renderOpenChat([{ role: 'user', content: 'Hello' }])).toBe(
      'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant:',
    );
  });
  it('renders history with assistant turns and a system message', () => {
    expect(
      renderOpenChat([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi' },
        { role: 'user', content: 'How are you today?' },
      ]),
    ).toBe(
      'Be brief.<|end_of_turn|>GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: Hi<|end_of_turn|>GPT4 Correct User: How are you today?<|end_of_turn|>GPT4 Correct Assistant:',
    );
  });
  it('renders coding mode', () => {
    expect(renderOpenChat([{ role: 'user', content: 'Implement quicksort using C++' }], { coding: true })).toBe(
      'Code User: Implement quicksort using C++<|end_of_turn|>Code Assistant:',
    );
  });
});
