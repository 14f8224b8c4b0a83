/** Which chat family a vocabulary belongs to, and the template the app uses for it by default. */
import type { TemplateId } from './index';

export type Family = 'openchat' | 'starchat' | null;

export function detectFamily(tokenToId: ReadonlyMap<string, number>): Family {
  if (tokenToId.has('<|end_of_turn|>')) return 'openchat';
  if (tokenToId.has('<|assistant|>') && tokenToId.has('<|end|>') && tokenToId.has('<|user|>')) return 'starchat';
  return null;
}

export function defaultTemplate(family: Family, hasChatTemplate: boolean): TemplateId {
  if (family) return family;
  return hasChatTemplate ? 'gguf' : 'raw';
}
