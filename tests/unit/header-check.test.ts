import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkGgufHeader, MAX_HEADER_BYTES } from '../../workers/lib/gguf/header-check';
import { KNOWN_ARCHITECTURES } from '../../workers/lib/gguf/known-architectures';
import { sniffFormat } from '../../workers/lib/gguf/inspect';
import { garbageHeader } from '../fixtures/model-server';
import { testModel } from '../fixtures/test-models';

/** A GGUF v3 header with the given string key/values (and declared counts). */
function header(kvs: Record<string, string>, opts: { version?: number; tensors?: bigint; kvCount?: bigint } = {}): Uint8Array {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const u64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    parts.push(b);
  };
  const str = (s: string) => {
    u64(BigInt(Buffer.byteLength(s)));
    parts.push(Buffer.from(s));
  };
  parts.push(Buffer.from('GGUF'));
  u32(opts.version ?? 3);
  u64(opts.tensors ?? 1n);
  u64(opts.kvCount ?? BigInt(Object.keys(kvs).length));
  for (const [k, v] of Object.entries(kvs)) {
    str(k);
    u32(8);
    str(v);
  }
  return new Uint8Array(Buffer.concat(parts));
}

const kindOf = (v: ReturnType<typeof checkGgufHeader>) => ('error' in v ? v.error.kind : v.ok ? 'ok' : `need ${v.need}`);

describe('checkGgufHeader', () => {
  it('accepts the generated models, reading only their first bytes', () => {
    const demo = readFileSync(testModel('demo').path);
    const v = checkGgufHeader(demo.subarray(0, 64 * 1024), 'demo.gguf', demo.length);
    expect(v).toMatchObject({ ok: true, architecture: 'llama', version: 3 });
  });

  it('refuses an architecture llama.cpp does not know, naming it', () => {
    const gpt5 = readFileSync(testModel('gpt5Arch').path);
    const v = checkGgufHeader(gpt5.subarray(0, 64 * 1024), 'x.gguf', gpt5.length);
    expect(kindOf(v)).toBe('unsupported-arch');
    expect('error' in v && v.error.message).toContain('"gpt5"');
    expect(KNOWN_ARCHITECTURES.has('llama')).toBe(true);
    expect(KNOWN_ARCHITECTURES.has('gpt5')).toBe(false);
  });

  it('refuses a damaged header as corrupt-gguf: bad version, absurd counts, garbage key/values, no architecture', () => {
    expect(kindOf(checkGgufHeader(header({ 'general.architecture': 'llama' }, { version: 7 }), 'a', null))).toBe('corrupt-gguf');
    expect(kindOf(checkGgufHeader(header({ 'general.architecture': 'llama' }, { version: 0 }), 'a', null))).toBe('corrupt-gguf');
    expect(kindOf(checkGgufHeader(header({ 'general.architecture': 'llama' }, { tensors: 1n << 40n }), 'a', null))).toBe('corrupt-gguf');
    expect(kindOf(checkGgufHeader(header({ 'general.architecture': 'llama' }, { kvCount: 1n << 33n }), 'a', null))).toBe('corrupt-gguf');
    expect(kindOf(checkGgufHeader(header({ 'general.name': 'x' }), 'a', null))).toBe('corrupt-gguf');
    const garbage = new Uint8Array(garbageHeader(5 << 20));
    const v = checkGgufHeader(garbage.subarray(0, 64 * 1024), 'g.gguf', garbage.length);
    expect(kindOf(v)).toBe('corrupt-gguf');
    expect('error' in v && v.error.message).toContain('header is damaged');
  });

  it('asks for more bytes when the header goes on past what was fetched, and decides with them', () => {
    const long = header({ 'general.name': 'x'.repeat(100_000), 'general.architecture': 'llama' });
    const first = checkGgufHeader(long.subarray(0, 64 * 1024), 'a', long.length);
    expect(first).toMatchObject({ ok: false });
    expect('need' in first && first.need).toBeGreaterThan(64 * 1024);
    expect('need' in first && first.need).toBeLessThanOrEqual(long.length);
    expect(checkGgufHeader(long, 'a', long.length)).toMatchObject({ ok: true, architecture: 'llama' });
  });

  it('calls a header that runs past the end of the file corrupt, and leaves one longer than the bound to the full check', () => {
    const long = header({ 'general.name': 'x'.repeat(100_000), 'general.architecture': 'llama' });
    expect(kindOf(checkGgufHeader(long.subarray(0, 70_000), 'a', 70_000))).toBe('corrupt-gguf');
    const huge = header({ 'general.name': 'x'.repeat(MAX_HEADER_BYTES), 'general.architecture': 'llama' });
    expect(checkGgufHeader(huge.subarray(0, 64 * 1024), 'a', null)).toMatchObject({ ok: true, architecture: null });
  });

  it('does not ask later shards of a split set for an architecture', () => {
    expect(checkGgufHeader(header({ 'split.no': 'x' }), 'b', null, false)).toMatchObject({ ok: true });
  });
});

describe('sniffFormat and legacy GGML', () => {
  it('knows GGJT both as written by llama.cpp ("tjgg") and as ASCII "ggjt"', () => {
    expect(sniffFormat(new Uint8Array([0x74, 0x6a, 0x67, 0x67, 3, 0, 0, 0]))).toBe('ggml-legacy');
    expect(sniffFormat(new TextEncoder().encode('ggjt\x03\0\0\0'))).toBe('ggml-legacy');
    expect(sniffFormat(new TextEncoder().encode('ggml\0\0\0\0'))).toBe('ggml-legacy');
  });
});
