// The static test host's sub-path mode (tools/static-server.ts), as GitHub Pages serves /<repo>/.
import { describe, expect, it } from 'vitest';
import { normalizeBase, pathUnderBase } from '../../tools/static-server';

describe('normalizeBase', () => {
  it('gives one leading and one trailing slash', () => {
    expect(normalizeBase('')).toBe('/');
    expect(normalizeBase('/')).toBe('/');
    expect(normalizeBase('sub/dir')).toBe('/sub/dir/');
    expect(normalizeBase('/sub//dir/')).toBe('/sub/dir/');
  });
  it('refuses paths that could leave the folder or need encoding', () => {
    expect(() => normalizeBase('/a/../b/')).toThrow(/plain sub-path/);
    expect(() => normalizeBase('/a b/')).toThrow(/plain sub-path/);
  });
});

describe('pathUnderBase', () => {
  it('maps paths under the base into the folder, and nothing else', () => {
    expect(pathUnderBase('/sub/dir/', '/sub/dir/')).toBe('/');
    expect(pathUnderBase('/sub/dir/', '/sub/dir/assets/a.js')).toBe('/assets/a.js');
    expect(pathUnderBase('/sub/dir/', '/assets/a.js')).toBeNull();
    expect(pathUnderBase('/sub/dir/', '/sub/dirt/x')).toBeNull();
    expect(pathUnderBase('/sub/dir/', '/sub/dir')).toBe('redirect');
    expect(pathUnderBase('/', '/assets/a.js')).toBe('/assets/a.js');
  });
});
