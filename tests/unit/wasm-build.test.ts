/** Which llama.cpp wasm build runs in which browser, and the ?build= override. */
import { describe, expect, it } from 'vitest';
import { chooseWasmBuild, wasmFeatures, type WasmApi } from '../../workers/lib/engine/wasm-build';

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

  it("detects memory64 as wllama does (a Memory with address 'i64'), not by validating a memory64 module", () => {
    // An engine that decodes memory64 modules but whose JS API has no `address: 'i64'` (V8 before
    // 13.x, e.g. Node 20 with --experimental-wasm-memory64): wllama sees no memory64 there.
    const validatesOnly: WasmApi = {
      Memory: class {
        constructor(d: { initial: unknown }) {
          if (typeof d.initial === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number');
        }
      },
    };
    const full: WasmApi = {
      Memory: class {
        constructor(d: { address?: string; initial: unknown }) {
          if (d.address !== 'i64' || typeof d.initial !== 'bigint') throw new TypeError('wrong descriptor');
        }
      },
      Suspending: function Suspending() {},
    };
    expect(wasmFeatures(validatesOnly, '')).toEqual({ jspi: false, memory64: false, firefox: false });
    expect(chooseWasmBuild('auto', wasmFeatures(validatesOnly, '')).build).toBe('compat'); // as wllama's needCompat()
    expect(wasmFeatures(full, '')).toEqual({ jspi: true, memory64: true, firefox: false });
    expect(chooseWasmBuild('auto', wasmFeatures(full, '')).build).toBe('default');
  });

  it("tells Firefox by wllama's own pattern", () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
    expect(wasmFeatures(undefined, ua).firefox).toBe(true);
    expect(wasmFeatures(undefined, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36').firefox).toBe(false);
  });
});
