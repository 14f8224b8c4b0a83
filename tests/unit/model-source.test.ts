import { describe, expect, it } from 'vitest';
import { AppError } from '../../workers/lib/errors';
import { resolveModelSource } from '../../workers/lib/model-source';

const base = 'http://127.0.0.1:4173/app/';

/** The error kind resolveModelSource throws for a spec, or null when it accepts it. */
const kindOf = (spec: string): string | null => {
  try {
    resolveModelSource(spec, base);
    return null;
  } catch (e) {
    return (e as AppError).kind;
  }
};

describe('resolveModelSource', () => {
  it('resolves a relative path against the page', () => {
    expect(resolveModelSource('models/a.gguf', base)).toEqual({
      id: 'http://127.0.0.1:4173/app/models/a.gguf',
      urls: ['http://127.0.0.1:4173/app/models/a.gguf'],
      names: ['a.gguf'],
    });
  });
  it('turns hf:owner/repo/file into the Hugging Face download URL', () => {
    const s = resolveModelSource('hf:TheBloke/Starling-LM-7B-alpha-GGUF/starling-lm-7b-alpha.Q4_K_M.gguf', base);
    expect(s.urls).toEqual(['https://huggingface.co/TheBloke/Starling-LM-7B-alpha-GGUF/resolve/main/starling-lm-7b-alpha.Q4_K_M.gguf']);
  });
  it('expands the first shard of a gguf-split set to every shard, in order', () => {
    const s = resolveModelSource('https://x.test/m/big-00001-of-00003.gguf?download=1', base);
    expect(s.names).toEqual(['big-00001-of-00003.gguf', 'big-00002-of-00003.gguf', 'big-00003-of-00003.gguf']);
    expect(s.urls[2]).toBe('https://x.test/m/big-00003-of-00003.gguf?download=1');
  });
  it('refuses a later shard, a bad hf: spec and non-http URLs', () => {
    expect(kindOf('https://x.test/big-00002-of-00003.gguf')).toBe('bad-url');
    expect(kindOf('hf:owner-only')).toBe('bad-url');
    expect(kindOf('file:///etc/passwd')).toBe('bad-url');
    expect(kindOf('javascript:alert(1)')).toBe('bad-url');
  });
  it('refuses hf: specs that walk out of the repository or are malformed, instead of making a Hub URL of them', () => {
    for (const spec of ['hf:../../etc', 'hf:../../etc/passwd', 'hf:owner/../x.gguf', 'hf:owner/repo/../../x.gguf', 'hf:owner/repo/./x.gguf', 'hf:ow ner/repo/x.gguf', 'hf:.hidden/repo/x.gguf', 'hf:owner/repo/a\\b.gguf']) {
      expect(kindOf(spec), spec).toBe('bad-url');
    }
    expect(kindOf('hf:TheBloke/Starling-LM-7B-alpha-GGUF/sub/dir/m.Q4_K_M.gguf')).toBeNull();
  });
  it('refuses a URL longer than 8 KB at once', () => {
    expect(() => resolveModelSource(`https://x.test/${'a'.repeat(100_000)}.gguf`, base)).toThrow(/at most 8,192/);
    expect(resolveModelSource(`https://x.test/${'a'.repeat(8000)}.gguf`, base).urls).toHaveLength(1);
  });
});

describe('offline unit tests', () => {
  it('resolve sources without any request: fetch outside loopback is refused here', async () => {
    await expect(fetch('https://huggingface.co/TheBloke/Starling-LM-7B-alpha-GGUF')).rejects.toThrow('unit tests must not use the network');
  });
});
