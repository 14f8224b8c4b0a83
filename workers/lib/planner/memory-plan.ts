/**
 * Predicts the memory a model needs at a context size, before it is downloaded, and says whether it
 * can run here: on the CPU path everything lives in wllama's WebAssembly heap (at most 4 GiB); on the
 * WebGPU path the weights, KV cache and compute buffers live in GPU buffers, each tensor within the
 * adapter's binding limit, while the token embeddings and the runtime stay in the heap.
 */
import {
  computeBytes,
  DEFAULT_N_UBATCH,
  kvCacheBytes,
  paddedCtx,
  runtimeOverheadBytes,
  WASM_HEAP_MAX_BYTES,
  WASM_INITIAL_BYTES,
  type ModelShape,
} from './components';
import { formatBytes } from '../format';

export type PlanBackend = 'cpu' | 'webgpu';

export interface WebGpuLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** llama.cpp's WebGPU backend needs shader-f16; undefined when unknown. */
  shaderF16?: boolean;
}

export interface PlanLimits {
  /** WebAssembly heap ceiling; wllama's 4 GiB (3.8.1, 3.13.0) when absent. */
  wasmHeapMax?: number;
  /** The WebGPU adapter's limits; null when the browser has no adapter. */
  webgpu?: WebGpuLimits | null;
  /** navigator.deviceMemory (GiB, rounded down and capped by the browser): a soft hint only. */
  deviceMemoryGiB?: number | null;
}

/** What a plan needs to know about a model (a GgufHeaderInfo has all of it). */
export interface ModelFacts extends ModelShape {
  /** Bytes of all weight tensors (llama.cpp's model buffer holds exactly these). */
  tensorDataBytes: number;
  contextLength?: number | null;
  largestTensor?: { name: string; bytes: number } | null;
  /** token_embd.weight: llama.cpp keeps it in host memory even when the rest is on the GPU. */
  tokenEmbeddingBytes?: number | null;
  /** Without output.weight the embeddings are tied, and the GPU gets its own copy of them. */
  hasOutputTensor?: boolean;
}

export interface PlanOptions {
  ctx: number;
  backend: PlanBackend;
  limits?: PlanLimits;
  nUbatch?: number;
}

export type Verdict = 'fits' | 'tight' | 'too-big';

export interface MemoryPlan {
  backend: PlanBackend;
  /** The context llama.cpp allocates: the requested one rounded up to a multiple of 256. */
  ctx: number;
  nUbatch: number;
  /** Bytes, whichever memory they live in. */
  weights: number;
  kvCache: number;
  compute: number;
  overhead: number;
  total: number;
  /** Bytes in the WebAssembly heap (all of them on CPU) and in GPU buffers (WebGPU only). */
  wasmHeap: number;
  gpu: number;
  wasmHeapMax: number;
  verdict: Verdict;
  fits: boolean;
  /** The largest context (a multiple of 256, up to the training context) that fits; 0 when none does. */
  maxCtx: number;
  /** CPU figures are calibrated by measurement; WebGPU figures are derived, not measured. */
  measured: boolean;
  /** Short sentences for the user: why it fits or not. */
  reasons: string[];
  /** Soft concerns that do not block loading. */
  warnings: string[];
}

/** Within this share of a hard limit the plan says "tight": the calibration is good to ~1-2%. */
const TIGHT_SHARE = 0.95;
/** Share of navigator.deviceMemory a tab can reasonably take (the OS and the browser need the rest). */
const DEVICE_MEMORY_SHARE = 0.5;
const CTX_STEP = 256; // = llama.cpp's n_ctx padding
const GiB = 1024 ** 3;

interface Layout {
  weights: number;
  kvCache: number;
  compute: number;
  overhead: number;
  wasmHeap: number;
  gpu: number;
  /** Hard-limit violations, as sentences; empty when it can load. */
  blockers: string[];
  /** The binding-limited buffers (WebGPU): the largest single one. */
  largestBinding: { what: string; bytes: number } | null;
}

function layout(m: ModelFacts, ctx: number, backend: PlanBackend, limits: PlanLimits, nUbatch: number): Layout {
  const heapMax = limits.wasmHeapMax ?? WASM_HEAP_MAX_BYTES;
  const weights = m.tensorDataBytes;
  const kvCache = kvCacheBytes(m, ctx);
  const compute = computeBytes(m, ctx, nUbatch);
  const overhead = runtimeOverheadBytes(m, ctx);
  const blockers: string[] = [];

  if (backend === 'cpu') {
    const wasmHeap = Math.max(WASM_INITIAL_BYTES, weights + kvCache + compute + overhead);
    if (wasmHeap > heapMax) blockers.push('heap');
    return { weights, kvCache, compute, overhead, wasmHeap, gpu: 0, blockers, largestBinding: null };
  }

  // WebGPU: weights except the token embeddings, the KV cache and the graph live in GPU buffers; the
  // heap keeps the embeddings, the runtime, the logits row, and a staging copy of the largest tensor
  // while loading (no mmap: llama.cpp reads each tensor into host memory before the upload).
  const gpuLimits = limits.webgpu;
  const embd = m.tokenEmbeddingBytes ?? 0;
  const largest = m.largestTensor?.bytes ?? 0;
  const output = m.vocabSize * 4;
  const tiedCopy = m.hasOutputTensor === false ? embd : 0;
  const gpu = weights - embd + tiedCopy + kvCache + (compute - output);
  const wasmHeap = Math.max(WASM_INITIAL_BYTES, embd + overhead + output + largest);
  if (!gpuLimits) blockers.push('no-adapter');
  else if (gpuLimits.shaderF16 === false) blockers.push('no-f16');
  if (wasmHeap > heapMax) blockers.push('heap');

  const tokens = Math.min(nUbatch, ctx);
  const headDim = m.headCount > 0 ? m.embeddingLength / m.headCount : 0;
  const layerKv = ctx * m.headCountKv * Math.max(m.keyLength ?? headDim, m.valueLength ?? headDim) * 2;
  const candidates = [
    { what: m.largestTensor ? `the tensor ${m.largestTensor.name}` : 'the largest tensor', bytes: largest },
    { what: 'one layer of the context cache', bytes: layerKv },
    { what: 'the attention mask', bytes: ctx * tokens * 2 },
    { what: 'the feed-forward activations', bytes: (m.feedForwardLength ?? 4 * m.embeddingLength) * tokens * 4 },
  ];
  const largestBinding = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  if (gpuLimits && largestBinding.bytes > Math.min(gpuLimits.maxBufferSize, gpuLimits.maxStorageBufferBindingSize)) {
    blockers.push('binding');
  }
  return { weights, kvCache, compute, overhead, wasmHeap, gpu, blockers, largestBinding };
}

/** The largest context (multiple of CTX_STEP, up to the training context) with no hard blocker. */
function largestFittingCtx(m: ModelFacts, backend: PlanBackend, limits: PlanLimits, nUbatch: number): number {
  const cap = Math.max(CTX_STEP, m.contextLength ?? 131072);
  const fits = (ctx: number) => layout(m, ctx, backend, limits, nUbatch).blockers.length === 0;
  if (!fits(CTX_STEP)) return 0;
  let lo = 1; // in steps: lo fits
  let hi = Math.floor(cap / CTX_STEP) + 1; // first step count known or assumed not to fit
  if (fits((hi - 1) * CTX_STEP)) return (hi - 1) * CTX_STEP;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid * CTX_STEP)) lo = mid;
    else hi = mid;
  }
  return lo * CTX_STEP;
}

export function planMemory(m: ModelFacts, opts: PlanOptions): MemoryPlan {
  const limits = opts.limits ?? {};
  const nUbatch = opts.nUbatch ?? DEFAULT_N_UBATCH;
  const heapMax = limits.wasmHeapMax ?? WASM_HEAP_MAX_BYTES;
  const { backend } = opts;
  const ctx = paddedCtx(opts.ctx);
  const l = layout(m, ctx, backend, limits, nUbatch);
  const total = l.weights + l.kvCache + l.compute + l.overhead;
  const maxCtx = largestFittingCtx(m, backend, limits, nUbatch);
  const reasons: string[] = [];
  const warnings: string[] = [];
  const heapLimit = `wllama's ${formatBytes(heapMax)} WebAssembly limit`;
  const breakdown =
    `Weights ${formatBytes(l.weights)}, context cache ${formatBytes(l.kvCache)} (${ctx} tokens), ` +
    `compute ${formatBytes(l.compute)}, runtime ${formatBytes(l.overhead)}.`;

  const tight =
    l.wasmHeap > TIGHT_SHARE * heapMax ||
    (backend === 'webgpu' &&
      limits.webgpu != null &&
      l.largestBinding !== null &&
      l.largestBinding.bytes > TIGHT_SHARE * Math.min(limits.webgpu.maxBufferSize, limits.webgpu.maxStorageBufferBindingSize));
  const verdict: Verdict = l.blockers.length ? 'too-big' : tight ? 'tight' : 'fits';

  if (l.blockers.includes('no-adapter')) reasons.push('This browser has no WebGPU adapter, so the WebGPU path cannot run here.');
  if (l.blockers.includes('no-f16')) reasons.push('The WebGPU adapter lacks shader-f16, which llama.cpp’s WebGPU backend needs.');
  if (l.blockers.includes('heap')) {
    const inHeap = backend === 'cpu' ? l.weights : (m.tokenEmbeddingBytes ?? 0);
    if (backend === 'cpu' && inHeap + l.overhead > heapMax) {
      reasons.push(`The weights alone (${formatBytes(l.weights)}) do not fit in ${heapLimit}.`);
    } else {
      reasons.push(`Needs ${formatBytes(l.wasmHeap)} of WebAssembly memory, more than ${heapLimit}.`);
    }
  }
  if (l.blockers.includes('binding') && l.largestBinding && limits.webgpu) {
    const bind = Math.min(limits.webgpu.maxBufferSize, limits.webgpu.maxStorageBufferBindingSize);
    reasons.push(`${capitalize(l.largestBinding.what)} (${formatBytes(l.largestBinding.bytes)}) exceeds the GPU’s ${formatBytes(bind)} buffer limit.`);
  }
  if (verdict === 'too-big') {
    if (maxCtx > 0 && maxCtx < ctx) reasons.push(`It fits with a context of ${maxCtx} tokens or fewer.`);
    else if (maxCtx === 0 && !l.blockers.includes('no-adapter') && !l.blockers.includes('no-f16')) {
      reasons.push('No context size fits: choose a smaller quantisation.');
    }
  } else if (backend === 'cpu') {
    reasons.push(`Fits: needs ${formatBytes(l.wasmHeap)} of ${heapLimit}.`);
  } else {
    reasons.push(`Fits: ${formatBytes(l.gpu)} in GPU buffers and ${formatBytes(l.wasmHeap)} of WebAssembly memory.`);
  }
  if (verdict === 'tight') reasons.push(`Little to spare: ${formatBytes(heapMax - l.wasmHeap)} left below the limit.`);
  reasons.push(breakdown);

  if (verdict !== 'too-big' && backend === 'cpu' && heapMax - l.wasmHeap < l.kvCache) {
    // Measured: llama-server keeps each earlier, unrelated prompt's KV state in its prompt cache.
    warnings.push(
      `A new conversation after a long one can need up to ${formatBytes(l.kvCache)} more (llama.cpp keeps the old one’s cache); only ${formatBytes(heapMax - l.wasmHeap)} is left.`,
    );
  }
  if (m.contextLength && ctx > m.contextLength) {
    warnings.push(`The model was trained with a context of ${m.contextLength} tokens; beyond that its replies may degrade.`);
  }
  const device = limits.deviceMemoryGiB;
  if (device && l.wasmHeap + l.gpu > DEVICE_MEMORY_SHARE * device * GiB) {
    warnings.push(
      `This device reports about ${device} GB of memory; the model needs ${formatBytes(l.wasmHeap + l.gpu)}, which may crowd out other apps.`,
    );
  }
  if (backend === 'webgpu') warnings.push('WebGPU figures are estimated from llama.cpp’s layout, not measured.');

  return {
    backend,
    ctx,
    nUbatch,
    weights: l.weights,
    kvCache: l.kvCache,
    compute: l.compute,
    overhead: l.overhead,
    total,
    wasmHeap: l.wasmHeap,
    gpu: l.gpu,
    wasmHeapMax: heapMax,
    verdict,
    fits: verdict !== 'too-big',
    maxCtx,
    measured: backend === 'cpu',
    reasons,
    warnings,
  };
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
