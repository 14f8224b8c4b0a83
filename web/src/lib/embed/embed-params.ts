/**
 * The widget's own URL parameters (besides the app's model=, backend=, threads=, ctx=): who may
 * drive it (`parent`), whether it draws a chat (`ui`), and how it looks (`theme`, `accent`, `title`),
 * plus the default system prompt (`system`). Every value is untrusted (any page chooses them): each
 * is checked here and a bad one is dropped with a reason the widget shows.
 */

export type EmbedTheme = 'light' | 'dark' | 'auto';

export interface EmbedParams {
  /** The host page's origin (`https://example.com`), or null: the API is off. */
  parent: string | null;
  /** 'none': no chat is drawn, the widget is the host page's hidden model (the API only). */
  ui: 'chat' | 'none';
  theme: EmbedTheme;
  /** A hex colour (#rgb, #rrggbb, with or without alpha), or null for the app's own. */
  accent: string | null;
  /** A title for the widget's bar (at most 80 characters), or null. */
  title: string | null;
  /** The system prompt a new conversation starts with, or null for the Settings default. */
  system: string | null;
  /** Why a parameter was ignored, one sentence each (shown in the widget). */
  problems: string[];
}

const MAX_TITLE = 80;
const MAX_SYSTEM = 6144;

/** `value` as an origin (scheme://host[:port]) when it is exactly one, over http(s); else null. */
export function parseOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  // Exactly an origin: no path, query, fragment or credentials (a lookalike must not pass as one).
  return url.origin === value.replace(/\/$/, '') ? url.origin : null;
}

export function parseEmbedParams(search: string): EmbedParams {
  const q = new URLSearchParams(search);
  const problems: string[] = [];

  const rawParent = q.get('parent');
  const parent = rawParent ? parseOrigin(rawParent) : null;
  if (rawParent && !parent) problems.push(`parent=${rawParent.slice(0, 100)} is not an http(s) origin such as https://example.com: the API is off.`);

  const rawUi = q.get('ui');
  const ui = rawUi === 'none' ? 'none' : 'chat';
  if (rawUi && rawUi !== 'none' && rawUi !== 'chat') problems.push(`ui=${rawUi.slice(0, 40)} is not chat or none.`);

  const rawTheme = q.get('theme');
  const theme: EmbedTheme = rawTheme === 'light' || rawTheme === 'dark' ? rawTheme : 'auto';
  if (rawTheme && theme === 'auto' && rawTheme !== 'auto') problems.push(`theme=${rawTheme.slice(0, 40)} is not light, dark or auto.`);

  const rawAccent = q.get('accent');
  const accent = rawAccent && /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(rawAccent) ? rawAccent : null;
  if (rawAccent && !accent) problems.push(`accent=${rawAccent.slice(0, 40)} is not a hex colour such as #3a5bd9.`);

  const rawTitle = q.get('title')?.trim();
  const title = rawTitle ? rawTitle.slice(0, MAX_TITLE) : null;

  const rawSystem = q.get('system');
  const system = rawSystem && rawSystem.length <= MAX_SYSTEM ? rawSystem : null;
  if (rawSystem && !system) problems.push(`system= is longer than ${MAX_SYSTEM} characters and was ignored.`);

  return { parent, ui, theme, accent, title, system, problems };
}
