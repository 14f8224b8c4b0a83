/**
 * Checks a GGUF header from the first bytes of a file, before the rest is fetched: magic, version
 * (1..3), sane tensor and key/value counts, well-formed key/values, and a `general.architecture` the
 * bundled llama.cpp knows. A header longer than the bytes given asks for more (`need`), so the caller
 * can fetch a longer start, up to MAX_HEADER_BYTES, before deciding.
 */
import { AppError } from '../errors';
import { KNOWN_ARCHITECTURES } from './known-architectures';
import { GgufFormatError, GgufType, NeedMore, walkGguf } from './walker';

/** How far into a file the header check reads at most (the vocabulary arrays come before the tensors). */
export const MAX_HEADER_BYTES = 8 << 20;

export type HeaderVerdict =
  | { ok: true; architecture: string | null; version: number; tensorCount: number; kvCount: number }
  /** The bytes end inside the header: look again with at least `need` bytes. */
  | { ok: false; need: number }
  | { ok: false; error: AppError };

const ARCH_KEY = 'general.architecture';
const MAX_ARCH_BYTES = 256;

const corrupt = (name: string, what: string): AppError =>
  new AppError(
    'corrupt-gguf',
    `${name} starts like a GGUF model but its header is damaged (${what}). Nothing was downloaded beyond its first bytes; ` +
      'the file itself must be replaced with a good copy.',
  );

/**
 * Judges a GGUF header from `head`, the first bytes of the file (`fileSize` when known, to tell a
 * header cut by the end of the file from one cut by the end of what was fetched so far).
 * `checkArchitecture` is false for the later shards of a gguf-split set, which carry no metadata.
 */
export function checkGgufHeader(head: Uint8Array, name: string, fileSize: number | null, checkArchitecture = true): HeaderVerdict {
  if (head.length < 24) return fileSize !== null && fileSize < 24 ? { ok: false, error: corrupt(name, `only ${fileSize} bytes`) } : { ok: false, need: 24 };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3) return { ok: false, error: corrupt(name, `GGUF version ${version}; llama.cpp reads versions 1 to 3`) };
  let tensorCount = 0;
  let kvCount = 0;
  try {
    // Only the architecture is decoded; the rest of the header is read again after the download.
    const header = walkGguf(head, {
      keep: (key, type) => {
        if (key !== ARCH_KEY) return false;
        if (type !== GgufType.STRING) throw new GgufFormatError(`${ARCH_KEY} is not a string`);
        return true;
      },
      stopAfter: ARCH_KEY,
      onCounts: (tensors, kvs) => {
        tensorCount = tensors;
        kvCount = kvs;
      },
    });
    const arch = header.kv.get(ARCH_KEY);
    const architecture = typeof arch === 'string' ? arch : null;
    if (architecture !== null && new TextEncoder().encode(architecture).length > MAX_ARCH_BYTES) {
      throw new GgufFormatError(`a string of ${new TextEncoder().encode(architecture).length} bytes`);
    }
    if (checkArchitecture) {
      if (architecture === null) throw new GgufFormatError('it names no general.architecture');
      if (!KNOWN_ARCHITECTURES.has(architecture)) {
        return {
          ok: false,
          error: new AppError(
            'unsupported-arch',
            `${name} is a "${architecture.slice(0, 64)}" model, an architecture the llama.cpp built into this app does not know, ` +
              'so it cannot run here. Nothing was downloaded beyond its first bytes. Pick a model of a supported architecture (for example llama).',
          ),
        };
      }
    }
    return { ok: true, architecture, version, tensorCount, kvCount };
  } catch (e) {
    if (e instanceof NeedMore) {
      if (fileSize !== null && e.need > fileSize) return { ok: false, error: corrupt(name, 'its header runs past the end of the file') };
      if (e.need > MAX_HEADER_BYTES) {
        // Stranger than any real model, but not proof of damage: the full check after download decides.
        return { ok: true, architecture: null, version, tensorCount, kvCount };
      }
      return { ok: false, need: e.need };
    }
    if (e instanceof GgufFormatError) return { ok: false, error: corrupt(name, e.message) };
    throw e;
  }
}
