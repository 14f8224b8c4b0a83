/**
 * embed-config.json's schema and checks, free of the app's imports so that vite.config.ts (which
 * sends `frame-ancestors` from it) can use them too. embed-config.ts says what the file is for.
 */
import { parseOrigin } from './embed-params.ts';

export const EMBED_CONFIG_FILE = 'embed-config.json';

export interface EmbedConfig {
  hosts: string[] | null;
  modelHosts: string[] | null;
}

export const NO_CONFIG: EmbedConfig = { hosts: null, modelHosts: null };

export type ConfigCheck = { ok: true; config: EmbedConfig } | { ok: false; reason: string };

function origins(value: unknown, key: string): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new Error(`"${key}" must be a list of origins such as "https://example.com".`);
  return value.map((v: unknown) => {
    const origin = typeof v === 'string' ? parseOrigin(v) : null;
    if (!origin) throw new Error(`"${key}" lists ${JSON.stringify(v)?.slice(0, 60)}, which is not an origin such as "https://example.com".`);
    return origin;
  });
}

/** The file's text, checked. */
export function parseEmbedConfig(text: string): ConfigCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `${EMBED_CONFIG_FILE} is not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: `${EMBED_CONFIG_FILE} must hold an object with "hosts" and/or "modelHosts".` };
  const record = json as Record<string, unknown>;
  const unknown = Object.keys(record).find((k) => k !== 'hosts' && k !== 'modelHosts');
  if (unknown !== undefined) return { ok: false, reason: `${EMBED_CONFIG_FILE} has "${unknown.slice(0, 40)}", which is not "hosts" or "modelHosts".` };
  try {
    return { ok: true, config: { hosts: origins(record.hosts, 'hosts'), modelHosts: origins(record.modelHosts, 'modelHosts') } };
  } catch (e) {
    return { ok: false, reason: `${EMBED_CONFIG_FILE}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export const hostAllowed = (config: EmbedConfig, origin: string): boolean => config.hosts === null || config.hosts.includes(origin);

/** The `frame-ancestors` sources for the widget: its own origin and the allowed hosts (null: any site). */
export const frameAncestorSources = (config: EmbedConfig): string[] | null => (config.hosts === null ? null : ["'self'", ...config.hosts]);

