/**
 * The widget's look from its URL parameters (theme=, accent=): `data-theme` on <html> picks the
 * palette in app.css, and the accent replaces `--accent`. Values come from embed-params.ts, which
 * lets through only light|dark|auto and a hex colour; they are set through the CSSOM (dataset,
 * style.setProperty), never as markup.
 */
import type { EmbedTheme } from './embed-params';

/** The text colours a button may get on the accent: the palette's light and dark ones. */
const LIGHT_TEXT = '#ffffff';
const DARK_TEXT = '#0d1020';

/** WCAG relative luminance of a #rgb / #rgba / #rrggbb / #rrggbbaa colour (alpha ignored), or null. */
export function luminance(hex: string): number | null {
  const m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(hex);
  if (!m) return null;
  const digits = m[1].length <= 4 ? [...m[1]].map((d) => d + d).join('') : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(digits.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a: number, b: number): number => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** The text colour that reads best on `accent` (a page may pick a light accent: white text would vanish on it). */
export function textOnAccent(accent: string): string {
  const l = luminance(accent);
  if (l === null) return LIGHT_TEXT;
  return contrast(l, luminance(LIGHT_TEXT)!) >= contrast(l, luminance(DARK_TEXT)!) ? LIGHT_TEXT : DARK_TEXT;
}

/** Applies theme= and accent= to the widget's document (never called by the full app). */
export function applyEmbedTheme(root: HTMLElement, theme: EmbedTheme, accent: string | null): void {
  root.dataset.theme = theme;
  if (accent) {
    root.style.setProperty('--accent', accent);
    root.style.setProperty('--on-accent', textOnAccent(accent));
  }
}
