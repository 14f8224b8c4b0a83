/** Which llama.cpp wasm build runs in which browser, and the ?build= override. */
import { describe, expect, it } from 'vitest';
import { chooseWasmBuild, wasmFeatures } from '../../workers/lib/engine/wasm-build';

const chromium = { jspi: true, memory64: true, firefox: false };
const firefox = { jspi: false, memory64: true, firefox: true };
const webkit = { jspi: false, memory64: true, firefox: false };
const old = { jspi: false, memory64: false, firefox: false };

describe('the wasm build', () => {
  it('is the default build where JSPI and memory64 exist, and in Firefox (whose CPU path runs without JSPI)', () => {
    expect(chooseWasmBuild('auto', chromium).build).toBe('default');
    expect(chooseWasmBuild('auto', firefox)).toMatchObject({ build: 'default', reason: expect.stringMatching(/Firefox/) });
  });

  it('is the compat build where JSPI (Safari) or memory64 is missing, and says which', () => {
    expect(chooseWasmBuild('auto', webkit)).toMatchObject({ build: 'compat', reason: expect.stringMatching(/lacks JSPI,/) });
    expect(chooseWasmBuild('auto', old).reason).toMatch(/lacks JSPI and memory64/);
  });

  it('?build= forces one either way', () => {
    expect(chooseWasmBuild('compat', chromium).build).toBe('compat');
    expect(chooseWasmBuild('default', webkit)).toMatchObject({ build: 'default', reason: expect.stringMatching(/although this browser lacks JSPI/) });
  });

  it("reads this runtime's features (Node has memory64 but no JSPI)", () => {
    const f = wasmFeatures();
    expect(typeof f.jspi).toBe('boolean');
    expect(f.firefox).toBe(false);
  });
});
