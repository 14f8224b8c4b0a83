import { describe, expect, it } from 'vitest';
import { chooseBackend, loadWithFallback, type GpuLike } from '../../workers/lib/engine/backend';
import {
  CALIBRATION_MAX_BYTES,
  calibrationOrder,
  decideThreads,
  describeProbes,
  fastest,
  threadCandidates,
} from '../../workers/lib/engine/threads';
import { buildLoadConfig, machineKey } from '../../web/src/lib/engine-prefs';
import { chooseEngine, fallbackReason, wllamaRetries } from '../../workers/lib/engine/engine-choice';

const adapter = (features: string[]): GpuLike => ({
  requestAdapter: () => Promise.resolve({ features: new Set(features) }),
});

describe('backend choice', () => {
  it('takes WebGPU when the adapter has shader-f16', async () => {
    expect(await chooseBackend('auto', adapter(['shader-f16', 'timestamp-query']))).toMatchObject({ backend: 'webgpu' });
  });

  it('stays on the CPU, with the reason, when the adapter lacks shader-f16 (SwiftShader)', async () => {
    const r = await chooseBackend('auto', adapter(['timestamp-query']));
    expect(r.backend).toBe('cpu');
    expect(r.reason).toMatch(/shader-f16/);
  });

  it('stays on the CPU when the browser has no navigator.gpu', async () => {
    expect(await chooseBackend('auto', null)).toEqual({ backend: 'cpu', reason: 'This browser has no WebGPU.' });
  });

  it('stays on the CPU when no adapter is returned or requestAdapter throws', async () => {
    expect((await chooseBackend('auto', { requestAdapter: () => Promise.resolve(null) })).backend).toBe('cpu');
    const throwing = await chooseBackend('auto', { requestAdapter: () => Promise.reject(new Error('GPU process crashed')) });
    expect(throwing).toEqual({ backend: 'cpu', reason: 'WebGPU has no usable adapter here.' });
  });

  it('honours an explicit CPU choice even with a capable adapter', async () => {
    expect(await chooseBackend('cpu', adapter(['shader-f16']))).toEqual({ backend: 'cpu', reason: 'CPU was requested.' });
  });

  it('explains why a requested WebGPU cannot be used', async () => {
    const r = await chooseBackend('webgpu', adapter([]));
    expect(r.backend).toBe('cpu');
    expect(r.reason).toMatch(/lacks shader-f16/);
  });
});

describe('loading with fallback', () => {
  it('loads once on the CPU when the CPU was chosen', async () => {
    const calls: string[] = [];
    const r = await loadWithFallback('cpu', 'CPU was requested.', (b) => (calls.push(b), Promise.resolve(`model on ${b}`)));
    expect(calls).toEqual(['cpu']);
    expect(r).toEqual({ value: 'model on cpu', backend: 'cpu', reason: 'CPU was requested.', fellBack: false });
  });

  it('keeps WebGPU when it loads', async () => {
    const r = await loadWithFallback('webgpu', 'ok', (b) => Promise.resolve(b));
    expect(r).toMatchObject({ backend: 'webgpu', fellBack: false, value: 'webgpu' });
  });

  it('falls back to the CPU, and says why, when the WebGPU load fails', async () => {
    const calls: string[] = [];
    const r = await loadWithFallback('webgpu', 'WebGPU with shader-f16 is available.', (b) => {
      calls.push(b);
      return b === 'webgpu' ? Promise.reject(new Error('ggml_webgpu: out of device memory')) : Promise.resolve('cpu model');
    });
    expect(calls).toEqual(['webgpu', 'cpu']);
    expect(r.backend).toBe('cpu');
    expect(r.fellBack).toBe(true);
    expect(r.value).toBe('cpu model');
    expect(r.reason).toBe('WebGPU could not load the model (ggml_webgpu: out of device memory), so it runs on the CPU.');
  });

  it('reports the CPU error when the fallback fails too', async () => {
    await expect(
      loadWithFallback('webgpu', '', (b) => Promise.reject(new Error(`${b} failed`))),
    ).rejects.toThrow('cpu failed');
  });
});

describe('thread calibration plan', () => {
  it('measures 1, half and all cores, capped at 8', () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(4)).toEqual([1, 2, 4]);
    expect(threadCandidates(32)).toEqual([1, 4, 8]);
  });

  it('measures the prior guess last, so a winning prior needs no extra load', () => {
    expect(calibrationOrder(5 << 20, 2)).toEqual([2, 1]);
    expect(calibrationOrder(134 << 20, 2)).toEqual([1, 2]);
  });

  const base = { modelBytes: 134 << 20, cores: 2, isolated: true, backend: 'cpu' as const };

  it('uses a requested count as is', () => {
    expect(decideThreads({ ...base, requested: 2, remembered: 1 })).toMatchObject({ order: [2], source: 'requested' });
  });

  it('uses one thread without cross-origin isolation, and says why', () => {
    const d = decideThreads({ ...base, isolated: false });
    expect(d).toMatchObject({ order: [1], source: 'single' });
    expect(d.note).toMatch(/cross-origin isolated/);
  });

  it('uses the remembered measurement instead of measuring again', () => {
    expect(decideThreads({ ...base, remembered: 1 })).toMatchObject({ order: [1], source: 'remembered' });
  });

  it('measures every candidate on a small CPU model', () => {
    expect(decideThreads(base)).toMatchObject({ order: [1, 2], source: 'measured' });
  });

  it('does not reload a model too large to load twice', () => {
    const d = decideThreads({ ...base, modelBytes: CALIBRATION_MAX_BYTES + 1 });
    expect(d).toMatchObject({ order: [2], source: 'prior' });
    expect(d.note).toMatch(/too large/);
  });

  it('does not measure on the compat build, whose every load is slow', () => {
    const d = decideThreads({ ...base, build: 'compat' });
    expect(d).toMatchObject({ order: [2], source: 'prior' });
    expect(d.note).toMatch(/compat build loads too slowly/);
    expect(decideThreads({ ...base, build: 'default' }).source).toBe('measured');
  });

  it('does not measure on WebGPU', () => {
    expect(decideThreads({ ...base, backend: 'webgpu' }).source).toBe('prior');
  });
});

describe('picking the fastest probe', () => {
  it('takes the highest generation speed', () => {
    expect(fastest([{ threads: 1, genTps: 10.7 }, { threads: 2, genTps: 17.1 }]).threads).toBe(2);
    expect(fastest([{ threads: 2, genTps: 75 }, { threads: 1, genTps: 148 }]).threads).toBe(1);
  });

  it('prefers fewer threads within 3%', () => {
    expect(fastest([{ threads: 2, genTps: 20.4 }, { threads: 1, genTps: 20 }]).threads).toBe(1);
    expect(fastest([{ threads: 2, genTps: 20.7 }, { threads: 1, genTps: 20 }]).threads).toBe(2);
  });

  it('describes the measurements', () => {
    expect(describeProbes([{ threads: 1, genTps: 148.2 }, { threads: 2, genTps: 17.14 }])).toBe('1 → 148 tok/s, 2 → 17.1 tok/s');
  });
});

describe('engine preferences', () => {
  it('lets URL parameters win over saved preferences', () => {
    const prefs = { backend: 'webgpu' as const, gpuLayers: 10, threads: 2 };
    expect(buildLoadConfig({ backend: 'cpu', threads: 1, ctx: 512, build: 'compat' }, prefs)).toEqual({ backend: 'cpu', threads: 1, ctx: 512, gpuLayers: 10, build: 'compat', engine: 'wllama' });
    expect(buildLoadConfig({ backend: null, ctx: 512 }, prefs)).toEqual({ backend: 'webgpu', threads: 2, ctx: 512, gpuLayers: 10, build: 'auto', engine: 'auto' });
  });

  it('takes ?engine= over the engine that ?build= implies', () => {
    const prefs = { backend: 'auto' as const, gpuLayers: undefined, threads: undefined };
    expect(buildLoadConfig({ backend: null, ctx: 256, build: 'compat', engine: 'own' }, prefs).engine).toBe('own');
    expect(buildLoadConfig({ backend: null, ctx: 256, engine: 'wllama' }, prefs).engine).toBe('wllama');
  });

  it('tells machines apart by cores and browser build', () => {
    expect(machineKey({ hardwareConcurrency: 2, userAgent: 'Chrome/156' })).not.toBe(machineKey({ hardwareConcurrency: 8, userAgent: 'Chrome/156' }));
  });
});

describe('engine choice', () => {
  const cpu = { ownBuilt: true, backend: 'cpu' as const };
  it('runs the own engine on the CPU when it is built and threads work', () => {
    expect(chooseEngine('auto', cpu)).toMatchObject({ engine: 'own' });
  });
  it('keeps wllama for WebGPU unless the own engine is asked for', () => {
    expect(chooseEngine('auto', { ...cpu, backend: 'webgpu' })).toMatchObject({ engine: 'wllama', reason: expect.stringMatching(/WebGPU/) });
    expect(chooseEngine('own', { ...cpu, backend: 'webgpu' })).toMatchObject({ engine: 'own' });
  });
  it('falls back to wllama, saying why, where the own engine cannot run', () => {
    expect(chooseEngine('auto', { ...cpu, ownBuilt: false })).toMatchObject({ engine: 'wllama', reason: expect.stringMatching(/without emcc/) });
    expect(chooseEngine('wllama', cpu)).toMatchObject({ engine: 'wllama', reason: expect.stringMatching(/requested/) });
  });
  it("names the architecture when llama.cpp's own build refused one it leaves out", () => {
    expect(fallbackReason("unsupported model architecture: 'xverse'")).toBe(
      'wllama: the own engine is built for the llama and starcoder architectures; this model is xverse.',
    );
    expect(fallbackReason('failed to allocate buffer')).toMatch(/could not run this model here \(failed to allocate buffer\)/);
  });
  it('hands wllama the loads lost to memory or to a left-out architecture, never a broken file', () => {
    const msg = (r: string) => `llama.cpp could not load this model: ${r}.`;
    expect(wllamaRetries('load-failed', msg("unsupported model architecture: 'xverse'"))).toBe(true);
    expect(wllamaRetries('load-failed', msg('failed to allocate CPU buffer of size 2147483648'))).toBe(true);
    expect(wllamaRetries('load-failed', msg("tensor 'blk.0.ffn_down.weight' not found"))).toBe(false);
    expect(wllamaRetries('load-failed', msg("unknown model architecture: 'gpt5'"))).toBe(false);
    expect(wllamaRetries('bad-gguf', msg("unsupported model architecture: 'xverse'"))).toBe(false);
  });
});
