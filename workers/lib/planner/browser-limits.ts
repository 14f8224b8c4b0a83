/**
 * Reads the limits a plan is checked against from the browser: WebGPU adapter limits (when an adapter
 * exists) and navigator.deviceMemory. The WebAssembly ceiling is a constant of the llama.cpp build this
 * browser gets (components.ts WASM_HEAP_MAX), not a browser property (Chromium allows memory64 up to
 * 16 GiB), so it is not probed.
 */
import { chooseWasmBuild, wasmFeatures, type WasmFeatures } from '../engine/wasm-build';
import { WASM_HEAP_MAX } from './components';
import type { PlanLimits } from './memory-plan';

interface AdapterLike {
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

export interface NavigatorLike {
  gpu?: { requestAdapter(): Promise<AdapterLike | null> };
  deviceMemory?: number;
}

export async function readBrowserLimits(
  nav: NavigatorLike = navigator as unknown as NavigatorLike,
  features: WasmFeatures = wasmFeatures(),
): Promise<PlanLimits> {
  // A throwing requestAdapter means no usable WebGPU, as backend.ts treats it.
  const adapter = (await nav.gpu?.requestAdapter().catch(() => null)) ?? null;
  return {
    // The heap ceiling of the build this browser gets (the engine worker makes the same choice).
    wasmHeapMax: WASM_HEAP_MAX[chooseWasmBuild('auto', features).build],
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
