/**
 * Storage access that survives a blocked store: the getter itself throws a SecurityError in a
 * cross-site iframe with third-party storage blocked, so `localStorage?.getItem` is no guard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { localStorageUsable, readLocal, storageNotice, writeLocal } from '../../web/src/lib/storage-access';

const securityError = () => {
  throw new DOMException("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.", 'SecurityError');
};

function setLocalStorage(get: () => unknown): void {
  Object.defineProperty(globalThis, 'localStorage', { get, configurable: true });
}

afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('localStorage helpers', () => {
  it('read null, write false and report unusable when the getter throws', () => {
    setLocalStorage(securityError);
    expect(() => globalThis.localStorage?.getItem('x')).toThrow(/Access is denied/); // the old guard did not guard
    expect(readLocal('x')).toBeNull();
    expect(writeLocal('x', '1')).toBe(false);
    expect(localStorageUsable()).toBe(false);
  });

  it('report unusable when the store exists but every call throws (blocked or full)', () => {
    const store = { getItem: securityError, setItem: securityError, removeItem: securityError };
    setLocalStorage(() => store);
    expect(readLocal('x')).toBeNull();
    expect(writeLocal('x', '1')).toBe(false);
    expect(localStorageUsable()).toBe(false);
  });

  it('read and write a working store', () => {
    const data = new Map<string, string>();
    const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
    setLocalStorage(() => store);
    expect(writeLocal('k', 'v')).toBe(true);
    expect(readLocal('k')).toBe('v');
    expect(localStorageUsable()).toBe(true);
    expect(data.has('starling-playground:probe')).toBe(false); // the probe cleans up
  });
});

describe('storageNotice', () => {
  it('says nothing when everything can be kept', () => {
    expect(storageNotice({ settings: true, models: 'disk' })).toBeNull();
  });
  it('names exactly what will not be kept', () => {
    expect(storageNotice({ settings: false, models: 'disk' })).toBe(
      'This browser blocks storage for this site: settings will not be kept after this page closes.',
    );
    expect(storageNotice({ settings: false, models: 'none' })).toBe(
      'This browser blocks storage for this site: settings and downloaded models will not be kept after this page closes. Each visit downloads the model again.',
    );
    expect(storageNotice({ settings: true, models: 'none' })).toMatch(/: downloaded models will not be kept/);
  });
  it('says models last for the session where only bytes can be stored (WebKit private windows)', () => {
    expect(storageNotice({ settings: true, models: 'session' })).toMatch(/^This browser keeps downloaded models in memory only .* until this window closes\.$/);
    expect(storageNotice({ settings: false, models: 'session' })).toMatch(/^This browser blocks storage for this site: settings will not .* in memory only/);
  });
});
