/** The Storage panel's per-engine sentence, from real user-agent strings. */
import { describe, expect, it } from 'vitest';
import { engineOf, storageFact } from '../../web/src/lib/storage-facts';

const UA = {
  chromium: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
  safari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  webkitgtk: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
};

describe('storage facts per engine', () => {
  it('tells Chromium, Firefox and WebKit (Safari and WebKitGTK) apart', () => {
    expect(engineOf(UA.chromium)).toBe('chromium');
    expect(engineOf(UA.firefox)).toBe('firefox');
    expect(engineOf(UA.safari)).toBe('webkit');
    expect(engineOf(UA.webkitgtk)).toBe('webkit');
    expect(engineOf('curl/8')).toBe('other');
  });

  it("says WebKit's 7-day eviction, Firefox's prompt and Chromium's estimate", () => {
    expect(storageFact('webkit')).toMatch(/7 days/);
    expect(storageFact('firefox')).toMatch(/prompt/);
    expect(storageFact('chromium')).toMatch(/fixed allowance/);
    expect(storageFact('other')).toBeNull();
  });
});
