import { describe, expect, it } from 'vitest';
import { renderOpenChat } from '../../workers/lib/templates/openchat';

describe('the OpenChat / Starling template', () => {
  it('renders a single turn exactly as the model card', () => {
    expect(renderOpenChat([{ role: 'user', content: 'Hello' }]).text).toBe(
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
      ]).text,
    ).toBe(
      'Be brief.<|end_of_turn|>GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: Hi<|end_of_turn|>GPT4 Correct User: How are you today?<|end_of_turn|>GPT4 Correct Assistant:',
    );
  });
  it('renders coding mode', () => {
    expect(renderOpenChat([{ role: 'user', content: 'Implement quicksort using C++' }], { coding: true }).text).toBe(
      'Code User: Implement quicksort using C++<|end_of_turn|>Code Assistant:',
    );
  });
});

import { compareEmbeddedTemplate, SAMPLE_CONVERSATION } from '../../workers/lib/templates/compare';
import { isOldOpenChat, renderJinja } from '../../workers/lib/templates/gguf-template';
import { renderPrompt, stopStrings } from '../../workers/lib/templates/index';
import { renderStarChat } from '../../workers/lib/templates/starchat';
import { OLD_OPENCHAT_JINJA_TEMPLATE, OPENCHAT_JINJA_TEMPLATE } from '../../tools/models/openchat-vocab';
import { STARCHAT_JINJA_TEMPLATE } from '../../tools/models/starchat-vocab';

describe('the StarChat-beta template', () => {
  it('renders the card format with a system message', () => {
    expect(
      renderStarChat([
        { role: 'system', content: 'Below is a conversation between a human user and a helpful AI coding assistant.' },
        { role: 'user', content: 'How do I sort a list in Python?' },
      ]).text,
    ).toBe(
      '<|system|>\nBelow is a conversation between a human user and a helpful AI coding assistant.<|end|>\n<|user|>\nHow do I sort a list in Python?<|end|>\n<|assistant|>',
    );
  });
  it('keeps an empty system block and writes history replies', () => {
    expect(
      renderStarChat([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Sort a list?' },
      ]).text,
    ).toBe('<|system|>\n<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nSort a list?<|end|>\n<|assistant|>');
  });
});

describe('raw mode and the GGUF’s own template', () => {
  it('raw sends the last user message exactly, with no history', () => {
    expect(renderPrompt('raw', [...SAMPLE_CONVERSATION, { role: 'assistant', content: 'x' }])).toBe('How are you today?');
  });
  it('renders Starling’s embedded Jinja template like the app, without the BOS text', () => {
    const gguf = renderJinja(OPENCHAT_JINJA_TEMPLATE, SAMPLE_CONVERSATION, { bosToken: '<s>', eosToken: '<|end_of_turn|>' });
    expect(gguf).toBe(
      'GPT4 Correct User: Hello<|end_of_turn|>GPT4 Correct Assistant: Hi<|end_of_turn|>GPT4 Correct User: How are you today?<|end_of_turn|>GPT4 Correct Assistant:',
    );
    expect(renderPrompt('gguf', SAMPLE_CONVERSATION, { jinja: { template: OPENCHAT_JINJA_TEMPLATE, bosToken: '<s>', eosToken: '' } })).toBe(gguf);
  });
  it('compares the embedded template with the app and flags the older GPT4 User form', () => {
    const tokens = { bos: '<s>', eos: '<|end_of_turn|>' };
    expect(compareEmbeddedTemplate(OPENCHAT_JINJA_TEMPLATE, 'openchat', tokens)).toMatchObject({ matches: true, oldOpenChat: false });
    const old = compareEmbeddedTemplate(OLD_OPENCHAT_JINJA_TEMPLATE, 'openchat', tokens);
    expect(old).toMatchObject({ matches: false, oldOpenChat: true });
    expect(old.gguf).toContain('GPT4 User: Hello');
    expect(compareEmbeddedTemplate(null, 'openchat', tokens)).toMatchObject({ template: null, matches: null });
    expect(compareEmbeddedTemplate('{% for %}', 'openchat', tokens).error).toMatch(/could not be rendered/);
    expect(compareEmbeddedTemplate(STARCHAT_JINJA_TEMPLATE, 'starchat', { bos: '<|endoftext|>', eos: '<|end|>' }).matches).toBe(true);
    expect(isOldOpenChat('GPT4 Correct User: x')).toBe(false);
  });
  it('stops on the next turn’s prefix for each template', () => {
    expect(stopStrings('openchat')).toEqual(['GPT4 Correct User:']);
    expect(stopStrings('openchat', { coding: true })).toEqual(['Code User:']);
    expect(stopStrings('starchat')).toContain('<|end|>');
    expect(stopStrings('raw')).toEqual([]);
  });
});
