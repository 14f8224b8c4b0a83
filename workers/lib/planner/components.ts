/**
 * The memory llama.cpp (as built into wllama 3.8.1) needs, component by component, with the constants
 * calibrated in headless Chromium by tools/measure-memory.ts (peak WebAssembly heap, and llama.cpp's
 * own "buffer size" log lines, on generated models with 32k and 50k vocabularies, widths 768 and 4096,
 * contexts 512 to 102400, n_ubatch 256 and 512).
 */

const MiB = 1 << 20;

/**
 * wllama's WebAssembly memory ceiling (3.8.1 and 3.13.0 alike): 65536 pages of 64 KiB = 4 GiB. Set three
 * times in its build (CMakeLists.txt -sMAXIMUM_MEMORY=4096MB; the wasm's memory import declares max 65536 pages; the JS glue
 * creates the memory with maximum 65536 pages and getHeapMax() = 4294967296), although Chromium allows
 * memory64 up to 16 GiB. Measured: a load whose heap would reach 4.09 GiB failed with "ggml_aligned_malloc:
 * insufficient memory"; one that needed 3.80 GiB loaded.
 */
export const WASM_HEAP_MAX_BYTES = 4 * 1024 ** 3;

/**
 * The ceiling per llama.cpp build (wasm-build.ts): the compat build is wasm32, whose glue caps the heap
 * one page short of 4 GiB (getHeapMax() = 4294901760 in @wllama/wllama-compat 3.13.0's wllama.js).
 * Both read the model through wllama's async file reads, so the weights count once in either heap.
 */
export const WASM_HEAP_MAX: Readonly<Record<'default' | 'compat', number>> = {
  default: WASM_HEAP_MAX_BYTES,
  compat: WASM_HEAP_MAX_BYTES - 65536,
};

/** The heap never starts smaller than wllama's INITIAL_MEMORY (128 MB). */
export const WASM_INITIAL_BYTES = 128 * MiB;

/** llama.cpp's default micro-batch (n_ubatch); wllama passes none, so the default applies. */
export const DEFAULT_N_UBATCH = 512;

/** Default K and V cache type: f16. */
const KV_BYTES_PER_ELEMENT = 2;

/** llama.cpp rounds n_ctx up to a multiple of 256 (measured: ctx 1000 allocates 1024 cells). */
const CTX_PAD = 256;
export const paddedCtx = (ctx: number): number => Math.ceil(ctx / CTX_PAD) * CTX_PAD;

/** The hyperparameters the formulas read (a GgufHeaderInfo has them all). */
export interface ModelShape {
  blockCount: number;
  embeddingLength: number;
  headCount: number;
  headCountKv: number;
  kvHeadsPerLayer?: number[] | null;
  keyLength?: number | null;
  valueLength?: number | null;
  vocabSize: number;
  feedForwardLength?: number | null;
}

/** n_embd_k + n_embd_v summed over layers: the K and V elements one context cell holds. */
function kvElementsPerCell(m: ModelShape): number {
  const headDim = m.headCount > 0 ? m.embeddingLength / m.headCount : 0;
  const k = m.keyLength ?? headDim;
  const v = m.valueLength ?? headDim;
  const heads = m.kvHeadsPerLayer && m.kvHeadsPerLayer.length === m.blockCount ? m.kvHeadsPerLayer : Array<number>(m.blockCount).fill(m.headCountKv);
  return heads.reduce((n, h) => n + h * (k + v), 0);
}

/**
 * KV cache: n_ctx cells of K and V per layer in f16, i.e. 2 * n_layer * n_ctx * n_embd_kv * 2 bytes
 * for a uniform model. Measured exactly (llama.cpp logs the same MiB).
 */
export function kvCacheBytes(m: ModelShape, ctx: number): number {
  return ctx * kvElementsPerCell(m) * KV_BYTES_PER_ELEMENT;
}

// The CPU compute buffer, as ggml's graph allocator sizes it for the worst-case micro-batch (FFN
// activations live at once: gate, up and their product, n_ff wide; plus four n_embd-wide tensors),
// with flash attention on (llama.cpp's "auto" enables it on CPU), whose f16 mask spans the whole
// context. llama-server reserves one output row (n_outputs_max = 1), so the logits do NOT scale with
// n_ubatch: only the output buffer holds n_vocab floats. Matches every measured run within 0.02 MiB.
const COMPUTE_FFN_TENSORS = 3;
const COMPUTE_EMBD_TENSORS = 4;
const F32 = 4;
const MASK_BYTES = 2;

export function computeBytes(m: ModelShape, ctx: number, nUbatch = DEFAULT_N_UBATCH): number {
  const tokens = Math.min(nUbatch, ctx);
  const ff = m.feedForwardLength ?? 4 * m.embeddingLength;
  const graph = tokens * F32 * (COMPUTE_FFN_TENSORS * ff + COMPUTE_EMBD_TENSORS * m.embeddingLength);
  const mask = ctx * tokens * MASK_BYTES;
  const output = m.vocabSize * F32;
  return graph + mask + output;
}

// Everything else in the heap, fitted on the measured runs: the runtime (stack 5 MiB, static data,
// server state), the vocabulary tables (about 500 bytes per token: text, maps, piece cache; BPE merges
// make it a little more), and per-cell bookkeeping of the context (KV cell metadata, slot buffers).
// Left out on purpose: the own engine's attention scratch, about 145 KB per llama.cpp thread, taken
// at the first prompt (engine/wasm_fa.h): 0.6 MB at 4 threads, under 0.1% of a 7B heap and well
// inside the 5% that TIGHT_SHARE (memory-plan.ts) keeps from a hard limit.
const OVERHEAD_BASE_BYTES = 21.5 * MiB;
const OVERHEAD_PER_VOCAB_TOKEN = 500;
const OVERHEAD_PER_CTX_CELL = 52;

export function runtimeOverheadBytes(m: ModelShape, ctx: number): number {
  return OVERHEAD_BASE_BYTES + OVERHEAD_PER_VOCAB_TOKEN * m.vocabSize + OVERHEAD_PER_CTX_CELL * ctx;
}
