/** Errors that cross a worker boundary always carry a message a person can read. */
import { describe, expect, it } from 'vitest';
import { toErrorData } from '../../workers/lib/errors';
import { storageWriteError } from '../../workers/lib/download/storage-errors';

describe('error data', () => {
  it('a null rejection (an IndexedDB transaction aborted without an error) never shows as "null"', () => {
    for (const e of [null, undefined]) {
      const d = toErrorData(e, 'network');
      expect(d.message).not.toMatch(/^(null|undefined)$/);
      expect(d.message).toMatch(/without giving a reason/);
    }
  });

  it("WebKit's refusal to store a Blob is a storage error, not a network one", () => {
    const e = Object.assign(new Error('Error preparing Blob/File data to be stored in object store'), { name: 'UnknownError' });
    const err = storageWriteError(e, { needed: 1e6, available: null });
    expect(err?.kind).toBe('storage');
    expect(err?.message).toMatch(/Error preparing Blob/);
  });
});
