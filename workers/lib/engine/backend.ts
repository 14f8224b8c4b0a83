/**
 * Picks the inference backend. wllama's WebGPU path needs an adapter with `shader-f16`; without one
 * (or without WebGPU at all) the CPU path (wasm SIMD + threads) is used, and the reason is kept to
 * show the user.
 */
import type { Backend, BackendChoice } from '../../protocol';

export interface GpuLike {
  requestAdapter(): Promise<{ features: { has(name: string): boolean } } | null>;
}

export async function chooseBackend(
  choice: BackendChoice,
  gpu: GpuLike | undefined = (navigator as Navigator & { gpu?: GpuLike }).gpu,
): Promise<{ backend: Backend; reason: string }> {
  if (choice === 'cpu') return { backend: 'cpu', reason: 'CPU was requested.' };
  if (!gpu) return { backend: 'cpu', reason: 'This browser has no WebGPU.' };
  let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>>;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { backend: 'cpu', reason: 'WebGPU has no usable adapter here.' };
  if (!adapter.features.has('shader-f16')) {
    return { backend: 'cpu', reason: 'The WebGPU adapter lacks shader-f16, which llama.cpp’s WebGPU backend needs.' };
  }
  return { backend: 'webgpu', reason: choice === 'webgpu' ? 'WebGPU was requested.' : 'WebGPU with shader-f16 is available.' };
}
