/** The download worker's job registry: a delete runs only once every job on that model has stopped. */
import { describe, expect, it } from 'vitest';
import { Jobs } from '../../workers/lib/download/jobs';
import { specOfRecord } from '../../workers/lib/cache/record-spec';
import { resolveModelSource } from '../../workers/lib/model-source';
import type { ModelRecord } from '../../workers/lib/cache/schema';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('download jobs', () => {
  it('stop() waits for an in-flight chunk write to finish before the delete may run', async () => {
    const jobs = new Jobs();
    const log: string[] = [];
    // A download whose last chunk is still being written when it is told to stop (the write then its record).
    const job = jobs.run(1, 'm', async (signal) => {
      await tick(1);
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      await tick(20);
      log.push('chunk written');
      await tick(5);
      log.push('record written');
      throw signal.reason;
    });
    const other = jobs.run(2, 'other', () => new Promise<void>(() => {})); // another model: not waited for
    void other;
    await tick(5);
    await jobs.stop('m', new DOMException('deleted', 'AbortError'));
    log.push('delete');
    expect(log).toEqual(['chunk written', 'record written', 'delete']);
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(jobs.count('m')).toBe(0);
    expect(jobs.count('other')).toBe(1);
  });

  it('stop(null) stops every job (clear), and cancel stops only the one asked', async () => {
    const jobs = new Jobs();
    const aborted: number[] = [];
    const run = (id: number, model: string) =>
      jobs.run(id, model, (signal) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => (aborted.push(id), reject(signal.reason)))));
    const a = run(1, 'a').catch(() => {});
    const b = run(2, 'b').catch(() => {});
    const c = run(3, 'c').catch(() => {});
    jobs.cancel(2, new DOMException('paused', 'AbortError'));
    await b;
    expect(aborted).toEqual([2]);
    await jobs.stop(null, new DOMException('cleared', 'AbortError'));
    await Promise.all([a, c]);
    expect(aborted.sort()).toEqual([1, 2, 3]);
    expect(jobs.count()).toBe(0);
  });
});

describe('reopening a cached record', () => {
  const record = (files: { url: string; expectedSha256?: string }[]): ModelRecord => ({
    schema: 1,
    id: files[0].url,
    label: 'm',
    origin: 'url',
    files: files.map((f) => ({ name: f.url.split('/').pop()!, size: 1, chunkBytes: 1, chunks: 1, rangeSupported: true, ...f })),
    bytes: 1,
    complete: false,
    createdAt: 0,
    updatedAt: 0,
  });
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);

  it('keeps the #sha256= pins, so a resumed download is the same file (and keeps what it stored)', () => {
    const r = record([
      { url: 'https://h.test/m-00001-of-00002.gguf', expectedSha256: a },
      { url: 'https://h.test/m-00002-of-00002.gguf', expectedSha256: b },
    ]);
    const spec = specOfRecord(r);
    expect(spec).toBe(`https://h.test/m-00001-of-00002.gguf#sha256=${a},${b}`);
    const source = resolveModelSource(spec, 'https://app.test/');
    expect(source.id).toBe(r.id);
    expect(source.sha256).toEqual([a, b]);
  });

  it('gives the plain URL when not every file has a published hash', () => {
    expect(specOfRecord(record([{ url: 'https://h.test/m.gguf' }]))).toBe('https://h.test/m.gguf');
  });
});
