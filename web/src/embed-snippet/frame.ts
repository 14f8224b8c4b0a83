/**
 * The widget's frame: its URL from the mount options, and which `message` events may come from it.
 * Pure functions (no document), so the unit tests check them directly.
 */
import type { WidgetMessage } from '../lib/embed/protocol';
import type { MountOptions } from './starling-embed';

/** The options that become embed.html's URL parameters, under the same names. */
const PARAMS = ['model', 'system', 'theme', 'accent', 'title', 'backend', 'threads', 'ctx'] as const satisfies readonly (keyof MountOptions)[];

/**
 * embed.html's URL: `options.src` (or `defaultSrc`) resolved against the page, with the options
 * as parameters and `parent` set to the host page's own origin (the only origin the widget will
 * answer). Parameters already in `src` are kept unless an option replaces them.
 */
export function frameUrl(options: MountOptions, defaultSrc: string | null, pageUrl: string, hostOrigin: string): URL {
  const src = options.src ?? defaultSrc;
  if (!src) throw new Error('Starling.mount: cannot tell where embed.html is (embed.js was not loaded by a plain <script src>): pass options.src.');
  const url = new URL(src, pageUrl);
  for (const name of PARAMS) {
    const value = options[name];
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  if (options.ui === 'none') url.searchParams.set('ui', 'none');
  url.searchParams.set('parent', hostOrigin);
  return url;
}

/**
 * The widget message an event carries, or null when the event must be ignored: it must come from
 * this frame's window (not another frame or a popup) and from the origin the frame was opened at
 * (the frame may have navigated elsewhere), and look like a widget message.
 */
export function widgetMessage(event: Pick<MessageEvent, 'origin' | 'source' | 'data'>, frameOrigin: string, frameWindow: unknown): WidgetMessage | null {
  if (event.source === null || event.source !== frameWindow || event.origin !== frameOrigin) return null;
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null || !('type' in data)) return null;
  const { type } = data;
  return typeof type === 'string' && type.startsWith('starling:') ? (data as WidgetMessage) : null;
}
