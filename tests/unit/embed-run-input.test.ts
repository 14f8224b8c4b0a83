import { describe, expect, it } from 'vitest';
import { checkRunInput, MAX_TEXT } from '../../web/src/lib/embed/run-input';
import { DEFAULT_PARAMS } from '../../web/src/lib/settings';

const CTX = 4096;
const refused = (input: unknown) => {
  const r = checkRunInput(input, CTX);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(input)}`);
  return r;
};

describe('a host page’s run input, against the hosted API’s schema', () => {
  it('takes a prompt with the schema’s defaults', () => {
    const r = checkRunInput({ prompt: 'Hello' }, CTX);
    expect(r).toEqual({ ok: true, run: { system: null, turns: [{ role: 'user', content: 'Hello' }], raw: false, stream: false, params: DEFAULT_PARAMS } });
    expect(DEFAULT_PARAMS.max_tokens).toBe(256);
  });

  it('takes messages with a system prompt first and every sampling field in range', () => {
    const r = checkRunInput(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Again' },
        ],
        stream: true,
        max_tokens: 12,
        temperature: 5,
        top_p: 0,
        top_k: 50,
        seed: 9_999_999_999,
        repetition_penalty: 2,
        frequency_penalty: 0,
        presence_penalty: 1.5,
      },
      CTX,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.run.system).toBe('Be brief.');
    expect(r.run.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
    expect(r.run.stream).toBe(true);
    expect(r.run.params).toMatchObject({ max_tokens: 12, temperature: 5, top_p: 0, top_k: 50, repetition_penalty: 2, presence_penalty: 1.5 });
    expect(r.run.params.seed).toBe(9_999_999_999 % 2 ** 32);
  });

  it('names the field and the rule for each broken one', () => {
    expect(refused({ prompt: 'x', temperature: 9 })).toMatchObject({ field: 'temperature', message: 'temperature must be at most 5 (got 9).' });
    expect(refused({ prompt: '' })).toMatchObject({ field: 'prompt', message: 'prompt must not be empty.' });
    expect(refused({ prompt: 'x', messages: [{ role: 'user', content: 'y' }] })).toMatchObject({ field: 'input', message: expect.stringContaining('not both') });
    expect(refused({})).toMatchObject({ field: 'input' });
    expect(refused({ prompt: 'x'.repeat(MAX_TEXT + 1) })).toMatchObject({ field: 'prompt', message: expect.stringContaining(`at most ${MAX_TEXT}`) });
    expect(refused({ prompt: 'x', top_k: 2.5 })).toMatchObject({ field: 'top_k', message: expect.stringContaining('whole number') });
    expect(refused({ prompt: 'x', top_k: 0 })).toMatchObject({ field: 'top_k', message: 'top_k must be at least 1 (got 0).' });
    expect(refused({ prompt: 'x', seed: 0 })).toMatchObject({ field: 'seed' });
    expect(refused({ prompt: 'x', max_tokens: CTX + 1 })).toMatchObject({ field: 'max_tokens', message: `max_tokens must be at most ${CTX} (got ${CTX + 1}).` });
    expect(refused({ prompt: 'x', temperature: '1' })).toMatchObject({ field: 'temperature', message: expect.stringContaining('must be a number') });
    expect(refused({ prompt: 'x', temperature: Number.NaN })).toMatchObject({ field: 'temperature' });
    expect(refused({ prompt: 'x', stream: 'yes' })).toMatchObject({ field: 'stream' });
    expect(refused({ prompt: 'x', max_token: 5 })).toMatchObject({ field: 'max_token', message: expect.stringContaining('not a field') });
    expect(refused({ messages: [{ role: 'user', content: 'x' }], raw: true })).toMatchObject({ field: 'raw' });
    expect(refused(null)).toMatchObject({ field: 'input' });
    expect(refused('Hello')).toMatchObject({ field: 'input' });
  });

  it('checks each message: role, content, where the system prompt is, and that the user speaks last', () => {
    expect(refused({ messages: [] })).toMatchObject({ field: 'messages' });
    expect(refused({ messages: 'Hi' })).toMatchObject({ field: 'messages' });
    expect(refused({ messages: [{ role: 'tool', content: 'x' }] })).toMatchObject({ field: 'messages[0].role' });
    expect(refused({ messages: [{ role: 'user', content: 5 }] })).toMatchObject({ field: 'messages[0].content' });
    expect(refused({ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'b' }, { role: 'user', content: 'c' }] })).toMatchObject({ field: 'messages[1].role' });
    expect(refused({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] })).toMatchObject({ field: 'messages', message: expect.stringContaining('end with a user message') });
    expect(refused({ messages: [{ role: 'system', content: 'only' }] })).toMatchObject({ field: 'messages' });
    expect(refused({ messages: [{ role: 'user', content: '   ' }] })).toMatchObject({ field: 'messages[0].content' });
    expect(refused({ messages: [null] })).toMatchObject({ field: 'messages[0]' });
  });

  it('keeps a raw prompt exactly as given', () => {
    const r = checkRunInput({ prompt: ' GPT4 Correct User: hi<|end_of_turn|>GPT4 Correct Assistant:\n', raw: true }, CTX);
    expect(r.ok && r.run.turns[0].content).toBe(' GPT4 Correct User: hi<|end_of_turn|>GPT4 Correct Assistant:\n');
    expect(r.ok && r.run.raw).toBe(true);
  });
});
