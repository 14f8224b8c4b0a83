/**
 * Recognises what a downloaded file is and, for GGUF, reads its header from a Blob to learn the size
 * the file must have. Used to refuse HTML pages, legacy GGML files and truncated downloads.
 */
import { ggmlTensorBytes } from './ggml-types';
import { blobSource, readGguf } from './walker';

export type FileFormat = 'gguf' | 'ggml-legacy' | 'html' | 'unknown';

// Legacy GGML magics as u32. llama.cpp wrote them little-endian, so a real GGJT file starts with the
// bytes "tjgg"; some tools and hand-made files hold the ASCII name ("ggjt") instead: both are legacy.
const GGML_MAGICS = new Set([0x67676d6c /* ggml */, 0x67676d66 /* ggmf */, 0x67676a74 /* ggjt */, 0x67676c61 /* ggla */]);

export function sniffFormat(head: Uint8Array): FileFormat {
  if (head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46) return 'gguf';
  if (head.length >= 4) {
    const le = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
    const be = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    if (GGML_MAGICS.has(le) || GGML_MAGICS.has(be)) return 'ggml-legacy';
  }
  const text = new TextDecoder().decode(head.subarray(0, 512)).trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || text.startsWith('<head') || text.startsWith('<')) {
    return 'html';
  }
  return 'unknown';
}

export interface GgufSummary {
  tensorCount: number;
  /** The size the file must have to hold every tensor it declares (the last one needs no padding). */
  expectedBytes: number;
  /** gguf-split position (0-based) and count; {0, 1} for a single file. */
  split: { no: number; count: number };
}

export async function inspectGguf(blob: Blob): Promise<GgufSummary> {
  const header = await readGguf(blobSource(blob), { keep: (key) => key.startsWith('split.'), tensors: true });
  const dataStart = header.tensorDataOffset ?? 0;
  let end = dataStart;
  for (const t of header.tensors) end = Math.max(end, dataStart + t.offset + ggmlTensorBytes(t.dtype, t.shape));
  return {
    tensorCount: header.tensors.length,
    expectedBytes: end,
    split: { no: Number(header.kv.get('split.no') ?? 0), count: Number(header.kv.get('split.count') ?? 1) },
  };
}
