import { describe, expect, it } from 'vitest';
import { threadsHint } from '../../web/src/lib/embed/threads-hint';

describe('the widget one-thread hint', () => {
  it('is shown only when the frame is not isolated, with the published reason as its detail', () => {
    expect(threadsHint(true, { isolated: true, via: 'headers', reason: 'served with COOP/COEP headers' })).toBeNull();
    const hint = threadsHint(false, { isolated: false, via: 'none', reason: 'embedded in a page that is not cross-origin isolated' });
    expect(hint?.text).toMatch(/^1 thread: /);
    expect(hint?.detail).toBe('Not cross-origin isolated: embedded in a page that is not cross-origin isolated.');
    expect(threadsHint(false, undefined)?.detail).toMatch(/single-threaded/);
  });
});
