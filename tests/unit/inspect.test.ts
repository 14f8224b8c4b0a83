import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectGguf, sniffFormat } from '../../workers/lib/gguf/inspect';
import { testModel } from '../fixtures/test-models';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('sniffFormat', () => {
  it('recognises GGUF, legacy GGML, HTML and anything else', () => {
    expect(sniffFormat(bytes('GGUF\x03\0\0\0'))).toBe('gguf');
    expect(sniffFormat(new Uint8Array([0x74, 0x6a, 0x67, 0x67, 3, 0, 0, 0]))).toBe('ggml-legacy'); // "tjgg" = ggjt LE
    expect(sniffFormat(bytes('  <!DOCTYPE html><html>'))).toBe('html');
    expect(sniffFormat(bytes('PK\x03\x04zip'))).toBe('unknown');
  });
});

describe('inspectGguf', () => {
  const file = readFileSync(testModel('demo').path);
  it('reads the size a complete file needs', async () => {
    const s = await inspectGguf(new Blob([file]));
    expect(s.expectedBytes).toBeLessThanOrEqual(file.length);
    expect(s.expectedBytes).toBeGreaterThan(file.length - 32);
    expect(s.split).toEqual({ no: 0, count: 1 });
  });
  it('shows that a cut file is too short', async () => {
    const cut = new Blob([file.subarray(0, file.length - 1000)]);
    expect((await inspectGguf(cut)).expectedBytes).toBeGreaterThan(cut.size);
  });
  it('fails on a file cut inside its header', async () => {
    await expect(inspectGguf(new Blob([file.subarray(0, 5000)]))).rejects.toThrow();
  });
});
