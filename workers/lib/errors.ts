/**
 * Errors the user can see. Each has a short machine `kind` (shown as error-banner's data-kind) and a
 * message written for a person. They cross worker boundaries as plain data.
 */

export type ErrorKind =
  | 'http-404'
  | 'http-error'
  | 'network'
  | 'html-not-gguf'
  | 'not-gguf'
  | 'ggml-legacy'
  | 'truncated'
  | 'corrupt-gguf'
  | 'quota'
  | 'too-big'
  | 'integrity'
  | 'source-changed'
  | 'storage'
  | 'load-failed'
  | 'engine-mismatch'
  | 'generation-failed'
  | 'webgpu-failed'
  | 'context-full'
  | 'worker-unavailable'
  | 'worker-crashed'
  /** A long phase (download, load, generation) made no progress for longer than its limit (web/src/lib/watchdog.ts). */
  | 'stalled'
  | 'bad-url'
  | 'cors'
  | 'unsupported-arch'
  /** Offline, and the model asked for is not complete in the cache (web/src/lib/offline-open.ts). */
  | 'offline'
  /** The widget's deployer allows `model=` only from some hosts (embed-config.json), and this is not one. */
  | 'model-host-refused'
  | 'aborted';

/**
 * Kinds where trying the same thing again cannot help (the file, the URL or the server's setup has
 * to change first): the error banner offers no "Try again" for them.
 */
export const RETRY_CANNOT_HELP: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'bad-url',
  'ggml-legacy',
  'html-not-gguf',
  'not-gguf',
  'corrupt-gguf',
  'unsupported-arch',
  'cors',
  'http-404',
  'integrity',
  'engine-mismatch',
  'model-host-refused',
]);

export interface AppErrorData {
  name: string;
  kind: ErrorKind;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

/** Flattens any thrown value for postMessage. */
export function toErrorData(e: unknown, fallback: ErrorKind): AppErrorData {
  if (e instanceof AppError) return { name: e.name, kind: e.kind, message: e.message };
  if (isAbort(e)) return { name: 'AbortError', kind: 'aborted', message: 'Cancelled.' };
  // IndexedDB rejects some aborted transactions with a null error: never show the user "null".
  const message = e instanceof Error ? e.message : e === null || e === undefined ? 'The browser failed without giving a reason.' : String(e);
  if (e instanceof Error && e.name === 'QuotaExceededError') {
    // Browsers often throw it with an empty message: never show an empty "()".
    const detail = message.trim() ? ` (${message.trim()})` : '';
    return {
      name: 'AppError',
      kind: 'quota',
      message: `The browser ran out of storage space for this model${detail}. Free disk space or delete cached models in the Storage panel.`,
    };
  }
  return { name: e instanceof Error ? e.name : 'Error', kind: fallback, message };
}

/** Rebuilds an Error from its data on the receiving side. */
export function fromErrorData(d: AppErrorData): Error {
  if (d.kind === 'aborted') {
    const e = new Error(d.message);
    e.name = 'AbortError';
    return e;
  }
  return new AppError(d.kind, d.message);
}
