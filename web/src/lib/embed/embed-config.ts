/**
 * The deployer's optional controls for the widget: `embed-config.json` beside embed.html.
 *
 *   { "hosts": ["https://shop.example"], "modelHosts": ["https://huggingface.co"] }
 *
 * - `hosts`: the only origins that may embed the widget and use its API. Another host sees a
 *   notice and gets no API; `npm start` also sends them as `frame-ancestors` (vite.config.ts).
 * - `modelHosts`: the only origins `model=` may download from in the widget (`hf:` specs are
 *   https://huggingface.co). Any page can frame the widget and choose `model=`, and what it
 *   downloads lands in the widget's cache on this site, so a deployer may narrow it. Models on the
 *   widget's own origin are always allowed.
 * Either key absent: no restriction of that kind. No file (404): no restriction at all. A file that
 * cannot be parsed shuts the API off (fail closed) with the reason in the frame.
 */
import { resolveModelSource } from '$workers/lib/model-source';
import { EMBED_CONFIG_FILE, NO_CONFIG, parseEmbedConfig, type ConfigCheck, type EmbedConfig } from './embed-config-file';

export { EMBED_CONFIG_FILE, hostAllowed, frameAncestorSources, parseEmbedConfig, NO_CONFIG } from './embed-config-file';
export type { EmbedConfig, ConfigCheck } from './embed-config-file';

/** Whether `spec` (a `model=` value) downloads from an allowed origin; `base` is embed.html's URL. */
export function modelAllowed(config: EmbedConfig, spec: string, base: string): boolean {
  if (config.modelHosts === null) return true;
  let origins: string[];
  try {
    origins = resolveModelSource(spec, base).urls.map((u) => new URL(u).origin);
  } catch {
    return true; // not a URL at all: the model loader refuses it with its own, clearer reason
  }
  const own = new URL(base).origin;
  return origins.every((o) => o === own || config.modelHosts!.includes(o));
}

const REMEMBERED = 'starling-embed-config';

/**
 * Reads the file next to the page. 200: checked, and remembered; 404: none; a network error
 * (offline, the file added after the build so the service worker does not hold it): the one read
 * last, else none.
 */
export async function loadEmbedConfig(url: string, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null): Promise<ConfigCheck> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch {
    const last = safe(() => storage?.getItem(REMEMBERED) ?? null);
    return last ? parseEmbedConfig(last) : { ok: true, config: NO_CONFIG };
  }
  if (response.status === 404) {
    safe(() => storage?.removeItem(REMEMBERED));
    return { ok: true, config: NO_CONFIG };
  }
  // A host that answers every path with its index page (a single-page-app fallback) has no file.
  if (response.ok && /^text\/html/i.test(response.headers.get('Content-Type') ?? '')) return { ok: true, config: NO_CONFIG };
  if (!response.ok) return { ok: false, reason: `${EMBED_CONFIG_FILE} could not be read (HTTP ${response.status}).` };
  const text = await response.text();
  const checked = parseEmbedConfig(text);
  if (checked.ok) safe(() => storage?.setItem(REMEMBERED, text));
  return checked;
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null; // storage blocked: nothing remembered
  }
}
