/**
 * Recognises what a downloaded file is and, for GGUF, reads its header from a Blob (through
 * @huggingface/gguf with a fetch that answers Range requests from the Blob) to learn the size the
 * file must have. Used to refuse HTML pages, legacy GGML files and truncated downloads.
 */
import { gguf, type GGUFParseOutput } from '@huggingface/gguf';
import { ggmlTensorBytes } from './ggml-types';

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
  metadata: GGUFParseOutput['metadata'];
  tensorCount: number;
  /** The size the file must have to hold every tensor it declares (the last one needs no padding). */
  expectedBytes: number;
  /** gguf-split position (0-based) and count; {0, 1} for a single file. */
  split: { no: number; count: number };
}

/** A fetch that serves Range requests from a Blob, so the GGUF parser can read local data. */
export function blobFetch(blob: Blob): typeof fetch {
  return async (_input, init) => {
    const range = new Headers(init?.headers).get('Range');
    const m = range?.match(/bytes=(\d+)-(\d+)?/);
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] !== undefined ? Math.min(Number(m[2]) + 1, blob.size) : blob.size;
    return new Response(blob.slice(start, end), {
      status: m ? 206 : 200,
      headers: m ? { 'Content-Range': `bytes ${start}-${end - 1}/${blob.size}` } : {},
    });
  };
}

export async function inspectGguf(blob: Blob): Promise<GgufSummary> {
  const parsed = await gguf('https://blob.invalid/model.gguf', { fetch: blobFetch(blob) });
  let end = parsed.tensorDataOffset === undefined ? 0 : Number(parsed.tensorDataOffset);
  const dataStart = end;
  for (const t of parsed.tensorInfos) {
    const stop = dataStart + Number(t.offset) + ggmlTensorBytes(t.dtype, t.shape);
    if (stop > end) end = stop;
  }
  const meta = parsed.metadata as Record<string, unknown>;
  const splitCount = Number(meta['split.count'] ?? 1);
  const splitNo = Number(meta['split.no'] ?? 0);
  return {
    metadata: parsed.metadata,
    tensorCount: parsed.tensorInfos.length,
    expectedBytes: end,
    split: { no: splitNo, count: splitCount },
  };
}
