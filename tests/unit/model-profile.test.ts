import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { profileModel } from '../../workers/lib/engine/model-profile';
import { testModel } from '../fixtures/test-models';

describe('profiling a model from its GGUF header', () => {
  it('the demo model is OpenChat, passes the card check and its template matches', async () => {
    const { profile, kvOverrides } = await profileModel(await openAsBlob(testModel('demo').path));
    expect(profile.family).toBe('openchat');
    expect(profile.defaultTemplate).toBe('openchat');
    expect(profile.templateCheck).toMatchObject({ status: 'pass', passed: 3, total: 3 });
    expect(profile.embedded.matches).toBe(true);
    expect(profile.specialTokens).toContain('<|end_of_turn|>');
    expect(kvOverrides).toEqual({});
  });
  it('a GGUF whose EOS is </s> gets <|end_of_turn|> as its EOT', async () => {
    const { profile, kvOverrides } = await profileModel(await openAsBlob(testModel('demoNoEot').path));
    expect(kvOverrides).toEqual({ 'tokenizer.ggml.eot_token_id': 'int:32000' });
    expect(profile.eotOverride).toBe('<|end_of_turn|>');
    expect(profile.embedded.template).toBeNull();
  });
  it('the StarChat-style model gets the StarChat template and no card check', async () => {
    const { profile } = await profileModel(await openAsBlob(testModel('starchat').path));
    expect(profile.family).toBe('starchat');
    expect(profile.defaultTemplate).toBe('starchat');
    expect(profile.templateCheck.status).toBe('n/a');
  });
});
