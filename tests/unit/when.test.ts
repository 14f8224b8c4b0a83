import { describe, expect, it } from 'vitest';
import { whenChanged } from '../../web/src/lib/conversations/when';

describe('whenChanged', () => {
  const now = new Date(2026, 11, 6, 20, 30);
  it('shows the time for a change today, with hours and minutes', () => {
    const t = new Date(2026, 11, 6, 9, 5).getTime();
    expect(whenChanged(t, now)).toBe(new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
    expect(whenChanged(t, now)).toMatch(/05/);
  });
  it('shows the date for a change on another day, even at the same time of day', () => {
    const t = new Date(2026, 11, 5, 20, 30).getTime();
    expect(whenChanged(t, now)).toBe(new Date(t).toLocaleDateString());
    expect(whenChanged(new Date(2025, 11, 6, 20, 30).getTime(), now)).toBe(new Date(2025, 11, 6).toLocaleDateString());
  });
});
