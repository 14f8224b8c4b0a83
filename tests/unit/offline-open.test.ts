import { describe, expect, it } from 'vitest';
import { completeRecord, offlineStartSpec, offlineUncached } from '../../web/src/lib/offline-open';
import { SCHEMA_VERSION, type ModelRecord } from '../../workers/lib/cache/schema';

const BASE = 'https://example.org/app/';
const record = (id: string, complete: boolean, label = id.split('/').pop()!): ModelRecord => ({
  schema: SCHEMA_VERSION,
  id,
  label,
  origin: id.startsWith('local:') ? 'local' : 'url',
  files: [],
  bytes: 1,
  complete,
  createdAt: 0,
  updatedAt: 0,
});
const records = [record('https://example.org/app/models/demo.gguf', true), record('https://h.example/big.gguf', false), record('local:abc', true, 'mine.gguf')];

describe('opening models offline', () => {
  it('finds a spec’s complete record, resolved against the page', () => {
    expect(completeRecord('models/demo.gguf', records, BASE)?.label).toBe('demo.gguf');
    expect(completeRecord('https://h.example/big.gguf', records, BASE)).toBeNull(); // partly downloaded
    expect(completeRecord('local:abc', records, BASE)?.label).toBe('mine.gguf');
    expect(completeRecord('::not a url', records, BASE)).toBeNull();
  });

  it('starts with the last model only when it is complete in the cache', () => {
    expect(offlineStartSpec('models/demo.gguf', records, BASE)).toBe('models/demo.gguf');
    expect(offlineStartSpec('https://h.example/big.gguf', records, BASE)).toBeNull();
    expect(offlineStartSpec(null, records, BASE)).toBeNull();
    expect(offlineStartSpec(42, records, BASE)).toBeNull();
  });

  it('says plainly why, and names the models that work offline', () => {
    const e = offlineUncached('big.gguf', records);
    expect(e.kind).toBe('offline');
    expect(e.message).toContain('You are offline, and big.gguf is not complete');
    expect(e.message).toContain('Models you can use offline: demo.gguf, mine.gguf');
    expect(offlineUncached('x', []).message).toContain('No model is complete in the cache yet');
  });
});
