import { describe, expect, it } from 'vitest';
import { checkTokens } from '../../web/src/lib/reply-check';

const tok = { ids: [1, 420, 28747], pieces: ['<s>', '▁G', ':'], detokenized: '<s> G:', text: 'GPT4 Correct User:', specialSpans: [], neutralized: [] };

describe('the per-reply prompt check', () => {
  it('passes when the engine evaluated the same number of tokens and decoded the same text', () => {
    expect(checkTokens(tok, { enginePromptTokens: 3, enginePrompt: '<s> G:' })).toEqual({ ours: 3, engine: 3, textMatches: true, ok: true });
  });
  it('fails on a different count', () => {
    expect(checkTokens(tok, { enginePromptTokens: 4, enginePrompt: '<s> G:' }).ok).toBe(false);
  });
  it('fails on different text even with the same count', () => {
    expect(checkTokens(tok, { enginePromptTokens: 3, enginePrompt: '<s>G:' })).toMatchObject({ textMatches: false, ok: false });
  });
  it('does not claim a mismatch when the engine reported nothing', () => {
    expect(checkTokens(tok, { enginePromptTokens: null, enginePrompt: null }).ok).toBe(true);
  });
});
