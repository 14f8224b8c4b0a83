/**
 * The own engine's wasm SIMD kernels (engine/wasm_f16.h, engine/wasm_fa.h, put into llama.cpp by
 * tools/engine-source.ts), built with Debian's emcc and run in Node against plain double-precision
 * references (tests/unit/wasm-kernels.cpp): every half converts exactly, floats round to the nearest half
 * (ties to even) as ggml's scalar code does, and one attention row matches softmax(qK)V; and the Q6_K
 * dot product and the two-by-two Q2_K, Q3_K, Q4_K, Q5_K and Q6_K ones (engine/wasm_kquants.h) against dequantization in double precision
 * (tests/unit/wasm-kquants.c).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const harness = fileURLToPath(new URL('./wasm-kernels.cpp', import.meta.url));
const kquants = fileURLToPath(new URL('./wasm-kquants.c', import.meta.url));

/** Builds a harness with Debian's emcc for Node and returns its output line as key=value pairs. */
function runHarness(compiler: 'emcc' | 'em++', source: string): Record<string, string> {
  // .ci/run installs emscripten; the engine is not built without it, and neither are these kernels.
  const emcc = spawnSync('sh', ['-c', 'command -v emcc'], { encoding: 'utf8' });
  expect(emcc.status, 'emcc is not installed (sudo apt-get install emscripten)').toBe(0);
  const dir = mkdtempSync(join(tmpdir(), 'wasm-kernels-'));
  try {
    const out = join(dir, 'kernels.js');
    // Debian's emscripten finds its JS optimizer's acorn in Debian's node path (as tools/build-engine.ts).
    execFileSync(compiler, ['-O2', '-msimd128', '-sENVIRONMENT=node', '-sWASM_ASYNC_COMPILATION=0', '-o', out, source], {
      env: { ...process.env, NODE_PATH: '/usr/share/nodejs' },
      stdio: 'pipe',
    });
    const line = execFileSync(process.execPath, [out], { encoding: 'utf8' }).trim();
    return Object.fromEntries([['line', line], ...line.split(' ').map((kv) => kv.split('=') as [string, string])]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('wasm SIMD kernels of the own engine', () => {
  it('convert F16 exactly and attend like the reference', () => {
    const got = runHarness('em++', harness);
    expect(Number(got.halves_bad), got.line).toBe(0);
    expect(Number(got.floats_bad), got.line).toBe(0);
    expect(Number(got.attention_max_err), got.line).toBeLessThan(1e-4);
  }, 120_000);

  it('take the dot products of Q6_K weights, and of two Q2_K, Q3_K, Q4_K, Q5_K or Q6_K rows by two columns, with Q8_K activations like dequantized doubles', () => {
    const got = runHarness('emcc', kquants);
    // Relative to the sum of the products' magnitudes: float rounding is about 1e-7; a wrong bit or scale is far more.
    for (const k of ['q6_K_err', 'q6_K_2x2_err', 'q4_K_2x2_err', 'q3_K_2x2_err', 'q5_K_2x2_err', 'q2_K_2x2_err']) expect(Number(got[k]), `${k}: ${got.line}`).toBeLessThan(1e-6);
  }, 120_000);
});
