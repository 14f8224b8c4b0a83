/**
 * Reads the limits a plan is checked against from the browser: WebGPU adapter limits (when an adapter
 * exists) and navigator.deviceMemory. The WebAssembly ceiling is wllama's build constant, not a browser
 * property (Chromium allows memory64 up to 16 GiB), so it is not probed here.
 */
import type { PlanLimits } from './memory-plan';

interface AdapterLike {
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

export interface NavigatorLike {
  gpu?: { requestAdapter(): Promise<AdapterLike | null> };
  deviceMemory?: number;
}

export async function readBrowserLimits(nav: NavigatorLike = navigator as unknown as NavigatorLike): Promise<PlanLimits> {
  // A throwing requestAdapter means no usable WebGPU, as backend.ts treats it.
  const adapter = (await nav.gpu?.requestAdapter().catch(() => null)) ?? null;
  return {
    webgpu: adapter
      ? {
          maxBufferSize: Number(adapter.limits.maxBufferSize),
          maxStorageBufferBindingSize: Number(adapter.limits.maxStorageBufferBindingSize),
          shaderF16: adapter.features.has('shader-f16'),
        }
      : null,
    deviceMemoryGiB: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null,
  };
}
