import { describe, expect, it } from 'vitest';
import { luminance, textOnAccent } from '../../web/src/lib/embed/theme';

describe('the widget accent', () => {
  it('reads short and long hex forms alike, alpha ignored', () => {
    expect(luminance('#fff')).toBeCloseTo(1);
    expect(luminance('#000000')).toBe(0);
    expect(luminance('#f00')).toBeCloseTo(luminance('#ff0000cc')!);
    expect(luminance('red')).toBeNull();
  });

  it('puts dark text on a light accent and white text on a dark one', () => {
    expect(textOnAccent('#3a5bd9')).toBe('#ffffff');
    expect(textOnAccent('#000080')).toBe('#ffffff');
    expect(textOnAccent('#ffeb3b')).toBe('#0d1020');
    expect(textOnAccent('#ffffff')).toBe('#0d1020');
  });
});
