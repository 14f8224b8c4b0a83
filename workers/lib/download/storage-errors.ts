/**
 * Failures of IndexedDB writes, told apart from network failures: a full disk or quota
 * (QuotaExceededError, "disk full", Chromium's "Failed to write blobs (IOError)") becomes `quota`
 * with the numbers and what to do; another storage failure becomes `storage`. Both keep what is
 * already stored, so the download resumes once there is room.
 */
import { AppError } from '../errors';
import { formatBytes } from '../format';

export interface StorageFigures {
  /** Bytes this download still has to write. */
  needed: number;
  /** Bytes the browser says this site may still store (quota - usage), when it says. */
  available: number | null;
  /** The stored part is kept for a resume (a download; not an import, which starts over). */
  kept?: boolean;
}

const describe = (e: unknown): { name: string; message: string } =>
  e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e)
    ? { name: String((e as { name?: unknown }).name ?? ''), message: String((e as { message?: unknown }).message ?? '') }
    : { name: '', message: String(e) };

/** Is this thrown value a failure of the disk or of the storage quota? */
function isDiskFull(e: unknown): boolean {
  const { name, message } = describe(e);
  return name === 'QuotaExceededError' || /quota|disk (is )?full|no space|not enough space|IOError/i.test(`${name} ${message}`);
}

/** Is it any failure of IndexedDB (as opposed to the network, or our own errors)? */
function isStorageFailure(e: unknown): boolean {
  if (e instanceof AppError) return false;
  const { name, message } = describe(e);
  return (
    isDiskFull(e) ||
    ['UnknownError', 'DataError', 'InvalidStateError', 'TransactionInactiveError', 'VersionError', 'SecurityError'].includes(name) ||
    /Failed to write blobs|IndexedDB|backing store/i.test(message)
  );
}

const ADVICE =
  'Free disk space, delete cached models you no longer need in the Storage panel, or ask the browser to keep this site\'s data ' +
  '(Storage panel, "Ask to keep them").';
const KEPT = ' What was stored so far is kept: the download resumes from there.';

/** The user's error for a failed write, with the numbers; null when `e` is not a storage failure. */
export function storageWriteError(e: unknown, figures: StorageFigures): AppError | null {
  if (!isStorageFailure(e)) return null;
  const { name, message } = describe(e);
  const detail = [name, message].filter((s) => s.trim()).join(': ');
  const advice = ADVICE + (figures.kept === false ? '' : KEPT);
  if (isDiskFull(e)) {
    // Chromium's estimate() reports usage plus a fixed allowance (privacy), not the real limit: a
    // figure that would fit what is needed cannot be the room there is, since the write was refused.
    const room =
      figures.available === null
        ? 'the browser does not say how much room is left'
        : figures.available < figures.needed
          ? `the browser reports ${formatBytes(Math.max(0, figures.available))} available to this site`
          : `the browser reports ${formatBytes(figures.available)} available to this site, yet it refused the write: the disk itself is full, or the real limit is lower than that figure`;
    return new AppError(
      'quota',
      `The disk or the browser's storage for this site is full: the download still needs ${formatBytes(figures.needed)}, and ${room}` +
        `${detail ? ` (${detail})` : ''}. ${advice}`,
    );
  }
  return new AppError(
    'storage',
    `The browser could not store part of the model${detail ? ` (${detail})` : ''}; ${formatBytes(figures.needed)} were still to be written. ${advice}`,
  );
}

/** storageWriteError with the browser's own figures. */
export async function storageWriteErrorNow(e: unknown, needed: number, kept = true): Promise<AppError | null> {
  if (!isStorageFailure(e)) return null;
  let available: number | null = null;
  try {
    const est = await navigator.storage?.estimate?.();
    if (est?.quota) available = est.quota - (est.usage ?? 0);
  } catch {
    // no estimate: say so in the message
  }
  return storageWriteError(e, { needed, available, kept });
}
