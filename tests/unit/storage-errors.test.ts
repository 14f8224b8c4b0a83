import { describe, expect, it } from 'vitest';
import { storageWriteError } from '../../workers/lib/download/storage-errors';
import { AppError, RETRY_CANNOT_HELP, toErrorData } from '../../workers/lib/errors';

const domError = (name: string, message: string) => Object.assign(new Error(message), { name });
const figures = { needed: 48e6, available: 1.5e6 };

describe('storage write failures are storage errors, with the numbers and what to do', () => {
  it.each([
    ['QuotaExceededError', ''],
    ['QuotaExceededError', 'The quota has been exceeded.'],
    ['UnknownError', 'Failed to write blobs (IOError)'],
    ['DataError', 'Failed to write blobs (disk full)'],
    ['Error', 'No space left on device'],
  ])('%s "%s" becomes quota with needed and available bytes', (name, message) => {
    const e = storageWriteError(domError(name, message), figures);
    expect(e?.kind).toBe('quota');
    expect(e?.message).toContain('48 MB');
    expect(e?.message).toContain('1.5 MB available');
    expect(e?.message).toMatch(/Free disk space/);
    expect(e?.message).toMatch(/Storage panel/);
    expect(e?.message).toMatch(/resumes/);
    expect(e?.message).not.toContain('()');
  });
  it('another IndexedDB failure becomes storage; network and app errors are left alone', () => {
    expect(storageWriteError(domError('UnknownError', 'Internal error opening backing store'), figures)?.kind).toBe('storage');
    // IndexedDB blocked (a third-party frame with storage partitioning off): a storage error, not the network.
    expect(storageWriteError(domError('SecurityError', 'The user denied permission to access the database.'), figures)?.kind).toBe('storage');
    expect(storageWriteError(new TypeError('Failed to fetch'), figures)).toBeNull();
    expect(storageWriteError(new AppError('integrity', 'x'), figures)).toBeNull();
  });
  it('promises no resume where nothing is kept (an import starts over)', () => {
    expect(storageWriteError(domError('QuotaExceededError', ''), { ...figures, kept: false })?.message).not.toMatch(/resumes/);
  });
  it('does not present an estimate that would fit as the room left (Chromium reports usage plus a fixed allowance)', () => {
    const m = storageWriteError(domError('QuotaExceededError', ''), { needed: 3.4e6, available: 5.37e9 })?.message;
    expect(m).toContain('the browser reports 5.37 GB available to this site, yet it refused the write');
    expect(m).toContain('the disk itself is full, or the real limit is lower');
    expect(m).toContain('still needs 3.4 MB');
  });
  it('says so when the browser gives no estimate', () => {
    expect(storageWriteError(domError('QuotaExceededError', ''), { needed: 2e9, available: null })?.message).toContain('does not say how much room');
  });
});

describe('toErrorData', () => {
  it('never shows an empty "()" for a QuotaExceededError without a message', () => {
    const d = toErrorData(domError('QuotaExceededError', ''), 'network');
    expect(d.kind).toBe('quota');
    expect(d.message).not.toContain('()');
    expect(d.message).toMatch(/Free disk space/);
  });
});

describe('RETRY_CANNOT_HELP', () => {
  it('lists the kinds where trying again cannot help, and not the ones where it can', () => {
    for (const k of ['bad-url', 'ggml-legacy', 'html-not-gguf', 'not-gguf', 'corrupt-gguf', 'unsupported-arch', 'cors', 'http-404', 'integrity'] as const) {
      expect(RETRY_CANNOT_HELP.has(k)).toBe(true);
    }
    for (const k of ['network', 'source-changed', 'quota', 'storage', 'too-big'] as const) expect(RETRY_CANNOT_HELP.has(k)).toBe(false);
  });
});
