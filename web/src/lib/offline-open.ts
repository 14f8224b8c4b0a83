/**
 * Opening models with no network: `/` opens the model last used when it is complete in the cache,
 * and a model that is not says so plainly, naming the ones that are (ChatView offers to open them),
 * instead of a download that can only fail.
 */
import type { ModelRecord } from '$workers/lib/cache/schema';
import { AppError } from '$workers/lib/errors';
import { resolveModelSource } from '$workers/lib/model-source';

/** The cache id a `?model=` spec (or a `local:` id) stands for; null when the spec is malformed. */
export function cacheIdOf(spec: string, baseUrl: string): string | null {
  if (spec.startsWith('local:')) return spec;
  try {
    return resolveModelSource(spec, baseUrl).id;
  } catch {
    return null;
  }
}

/** The complete cached record a spec names, if any. */
export function completeRecord(spec: string, records: readonly ModelRecord[], baseUrl: string): ModelRecord | null {
  const id = cacheIdOf(spec, baseUrl);
  return records.find((r) => r.id === id && r.complete) ?? null;
}

/** The spec to open offline when the address names none: the last model used, if it is complete in the cache. */
export function offlineStartSpec(last: unknown, records: readonly ModelRecord[], baseUrl: string): string | null {
  return typeof last === 'string' && completeRecord(last, records, baseUrl) ? last : null;
}

export function offlineUncached(label: string, records: readonly ModelRecord[]): AppError {
  const cached = records.filter((r) => r.complete).map((r) => r.label);
  return new AppError(
    'offline',
    `You are offline, and ${label} is not complete in this browser's cache, so it cannot be opened now. ` +
      (cached.length
        ? `Models you can use offline: ${cached.join(', ')} (below, or in the Storage panel).`
        : 'No model is complete in the cache yet: connect once and open (or "Save") a model to use it offline.'),
  );
}
