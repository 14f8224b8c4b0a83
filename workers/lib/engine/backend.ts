/**
 * Picks the inference backend. wllama's WebGPU path needs an adapter with `shader-f16`; without one
 * (or without WebGPU at all) the CPU path (wasm SIMD + threads) is used, and the reason is kept to
 * show the user.
 */

export type Backend = 'cpu' | 'webgpu';
/** What the user may ask for: a backend, or 'auto' to let the adapter decide. */
export type BackendChoice = Backend | 'auto';

export interface GpuLike {
  requestAdapter(): Promise<{ features: { has(name: string): boolean } } | null>;
}

/**
 * The rule itself, from what is known about the adapter: null when there is none. The memory
 * planner applies the same rule to the limits it read, so its verdicts match what a load will do.
 */
export function backendFor(choice: BackendChoice, adapter: { shaderF16: boolean } | null, hasWebGpu = true): { backend: Backend; reason: string } {
  if (choice === 'cpu') return { backend: 'cpu', reason: 'CPU was requested.' };
  if (!hasWebGpu) return { backend: 'cpu', reason: 'This browser has no WebGPU.' };
  if (!adapter) return { backend: 'cpu', reason: 'WebGPU has no usable adapter here.' };
  if (!adapter.shaderF16) {
    return { backend: 'cpu', reason: 'The WebGPU adapter lacks shader-f16, which llama.cpp’s WebGPU backend needs.' };
  }
  return { backend: 'webgpu', reason: choice === 'webgpu' ? 'WebGPU was requested.' : 'WebGPU with shader-f16 is available.' };
}

export async function chooseBackend(
  choice: BackendChoice,
  gpu: GpuLike | null = (globalThis.navigator as (Navigator & { gpu?: GpuLike }) | undefined)?.gpu ?? null,
): Promise<{ backend: Backend; reason: string }> {
  if (choice === 'cpu' || !gpu) return backendFor(choice, null, !!gpu);
  // A throwing requestAdapter (a crashed GPU process) means no usable adapter.
  const adapter = await gpu.requestAdapter().catch(() => null);
  return backendFor(choice, adapter && { shaderF16: adapter.features.has('shader-f16') });
}

export interface BackendLoad<T> {
  value: T;
  backend: Backend;
  reason: string;
  /** WebGPU was chosen but failed, and the CPU path took over. */
  fellBack: boolean;
}

/**
 * Loads on the chosen backend; if WebGPU fails (no f16 after all, out of GPU memory, an unsupported
 * op), loads again on the CPU and says why, so a GPU problem never leaves the user without a model.
 */
export async function loadWithFallback<T>(
  backend: Backend,
  reason: string,
  load: (backend: Backend) => Promise<T>,
): Promise<BackendLoad<T>> {
  if (backend === 'cpu') return { value: await load('cpu'), backend, reason, fellBack: false };
  try {
    return { value: await load('webgpu'), backend, reason, fellBack: false };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const value = await load('cpu');
    return { value, backend: 'cpu', reason: `WebGPU could not load the model (${why}), so it runs on the CPU.`, fellBack: true };
  }
}
