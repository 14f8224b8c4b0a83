import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CPU_BUFFER_MAX,
  KQUANT_DOTS,
  KQUANT_TILED,
  ARRAY_ELEMENTS_SHOWN,
  WASM_F16_HEADER,
  WASM_KQUANTS_HEADER,
  flashAttentionRows,
  kquantDots,
  kquantTiles,
  prepareLlamaSource,
  shortArrayStrings,
  simdF16Conversions,
  trimLlamaSource,
} from '../../tools/engine-source';

/** A llama.cpp-shaped tree: three architecture files and the mapping that names them. */
function fakeTree(): string {
  const src = mkdtempSync(join(tmpdir(), 'trim-'));
  mkdirSync(join(src, 'src', 'models'), { recursive: true });
  writeFileSync(join(src, 'src', 'CMakeLists.txt'), 'file(GLOB LLAMA_MODELS_SOURCES "models/*.cpp")\nadd_library(llama ${LLAMA_MODELS_SOURCES})\n');
  for (const a of ['llama', 'starcoder', 'xverse']) writeFileSync(join(src, 'src', 'models', `${a}.cpp`), `void llama_model_${a}::load_arch_hparams() {}\n`);
  writeFileSync(
    join(src, 'src', 'llama-model.cpp'),
    [
      'static llama_model * llama_model_mapping(llm_arch arch, const llama_model_params & params) {',
      '    switch (arch) {',
      ...['LLAMA:llama', 'XVERSE:xverse', 'STARCODER:starcoder'].flatMap((p) => {
        const [a, c] = p.split(':');
        return [`        case LLM_ARCH_${a}:`, `            return new llama_model_${c}(params);`];
      }),
      '        default:',
      '            throw std::runtime_error("unsupported model architecture");',
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  mkdirSync(join(src, 'ggml', 'src'), { recursive: true });
  writeFileSync(
    join(src, 'ggml', 'src', 'ggml-backend.cpp'),
    [
      'ggml_backend_buffer_type_t ggml_backend_cpu_buffer_type(void) {',
      '    static struct ggml_backend_buffer_type ggml_backend_cpu_buffer_type = {',
      '            /* .get_max_size     = */ NULL, // defaults to SIZE_MAX',
      '    };',
      '}',
      'ggml_backend_buffer_type_t other(void) {',
      '            /* .get_max_size     = */ NULL, // defaults to SIZE_MAX',
      '}',
      '',
    ].join('\n'),
  );
  mkdirSync(join(src, 'ggml', 'src', 'ggml-cpu'), { recursive: true });
  writeFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'simd-mappings.h'), SIMD_MAPPINGS);
  writeFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'ops.cpp'), OPS);
  mkdirSync(join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm'), { recursive: true });
  writeFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm', 'quants.c'), QUANTS);
  writeFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'ggml-cpu.c'), GGML_CPU);
  writeFileSync(join(src, 'src', 'llama-impl.cpp'), LLAMA_IMPL);
  return src;
}

/** ggml-cpu/simd-mappings.h's wasm F16 part, as llama.cpp has it. */
const SIMD_MAPPINGS = [
  '// F16 WASM',
  'inline static v128_t __wasm_f16x4_load(const ggml_fp16_t * p) {',
  '    float tmp[4];',
  ...[0, 1, 2, 3].map((i) => `    tmp[${i}] = GGML_CPU_FP16_TO_FP32(p[${i}]);`),
  '    return wasm_v128_load(tmp);',
  '}',
  'inline static void __wasm_f16x4_store(ggml_fp16_t * p, v128_t x) {',
  '    float tmp[4];',
  '    wasm_v128_store(tmp, x);',
  ...[0, 1, 2, 3].map((i) => `    p[${i}] = GGML_CPU_FP32_TO_FP16(tmp[${i}]);`),
  '}',
  '#define GGML_F16x4             v128_t',
  '',
].join('\n');

/** src/llama-impl.cpp's gguf_kv_to_str, as llama.cpp has it, and a function after it with a loop of the same shape. */
const LLAMA_IMPL = [
  'std::string gguf_kv_to_str(const struct gguf_context * ctx_gguf, int i) {',
  '    switch (type) {',
  '        case GGUF_TYPE_ARRAY:',
  '            {',
  '                int arr_n = gguf_get_arr_n(ctx_gguf, i);',
  '                std::stringstream ss;',
  '                ss << "[";',
  '                for (int j = 0; j < arr_n; j++) {',
  '                }',
  '            }',
  '    }',
  '}',
  'static void other(int arr_n) {',
  '    for (int j = 0; j < arr_n; j++) {',
  '    }',
  '}',
  '',
].join('\n');

/** ggml-cpu/ops.cpp's flash-attention kernels, cut down to the lines the edit finds. */
const OPS = [
  'static void ggml_compute_forward_flash_attn_ext_f16_one_chunk(',
  '        const ggml_compute_params * params) {',
  '    for (int ir = ir0; ir < ir1; ++ir) {',
  '        q_to_vec_dot(pq, Q_q, DK);',
  '        for (int64_t ic = ic_start; ic < ic_end; ++ic) {',
  '        }',
  '        if (v->type == GGML_TYPE_F16) {',
  '            for (int64_t d = 0; d < DV; ++d) {',
  '                VKQ32[d] = GGML_CPU_FP16_TO_FP32(VKQ16[d]);',
  '            }',
  '        }',
  '    }',
  '}',
  '',
  'static void ggml_compute_forward_flash_attn_ext_f16(',
  '        const ggml_compute_params * params) {',
  '        int nth_scaled = nth * 4;',
  '        int64_t chunk_size = (nr + nth_scaled - 1) / nth_scaled;',
  '        int64_t nchunk     = (nr + chunk_size - 1) / chunk_size;',
  '        bool use_tiled = !use_ref &&',
  '                                neq1 >= Q_TILE_SZ);',
  '}',
  '',
].join('\n');

/** ggml-cpu/arch/wasm/quants.c's dot products, one line of body each. */
const DOT_PARAMS = '(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, size_t bx, const void * GGML_RESTRICT vy, size_t by, int nrc) {';
const QUANTS = [
  '#include "ggml-quants.h"',
  '',
  ...['ggml_vec_dot_q8_0_q8_0', ...new Set([...KQUANT_DOTS, ...KQUANT_TILED.map(([, fn]) => fn)])].flatMap((fn) => [`void ${fn}${DOT_PARAMS}`, fn.endsWith('_K_q8_K') ? '    assert(n % QK_K == 0);' : '    const int qk = QK8_0;', '}', '']),
]
  .join('\n')
  // As ggml spaces it.
  .replace('void ggml_vec_dot_q5_K_q8_K(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, size_t bx, const void * GGML_RESTRICT vy, size_t by', 'void ggml_vec_dot_q5_K_q8_K(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, size_t bx, const void * GGML_RESTRICT vy,  size_t by');

/** ggml-cpu/ggml-cpu.c: the tiled types' traits and the matrix product's lines that the pairs edit finds. */
const GGML_CPU = [
  ...KQUANT_TILED.flatMap(([type, fn, arm]) => [
    `    [GGML_TYPE_${type}] = {`,
    `        .vec_dot                  = ${fn},`,
    '        .vec_dot_type             = GGML_TYPE_Q8_K,',
    ...(arm ? ['#if defined (__ARM_FEATURE_MATMUL_INT8)', '        .nrows                    = 2,', '#else', '        .nrows                    = 1,', '#endif'] : ['        .nrows                    = 1,']),
    '    },',
  ]),
  '            for (int64_t ir1 = iir1; ir1 < iir1 + blck_1 && ir1 < ir1_end; ir1 += num_rows_per_vec_dot) {',
  '                float * dst_col = (float*)((char*)dst->data + (i1 * nb1 + i2 * nb2 + i3 * nb3));',
  '                for (int64_t ir0 = iir0; ir0 < iir0 + blck_0 && ir0 < ir0_end; ir0 += num_rows_per_vec_dot) {',
  '                    vec_dot(ne00, &tmp[ir0 - iir0], (num_rows_per_vec_dot > 1 ? 16 : 0), src0_row + ir0 * nb01, (num_rows_per_vec_dot > 1 ? nb01 : 0), src1_col, (num_rows_per_vec_dot > 1 ? src1_col_stride : 0), num_rows_per_vec_dot);',
  '                }',
  '                for (int cn = 0; cn < num_rows_per_vec_dot; ++cn) {',
  '                }',
  '        if ((nr0 % 2 != 0) || (ne11 % 2 != 0) || ((ir0_end - ir0_start) % 2 != 0) || ((ir1_end - ir1_start) % 2 != 0)) {',
  '            num_rows_per_vec_dot = 1;',
  '        }',
  '',
].join('\n');

describe('engine source edits', () => {
  it('builds only the kept architectures, drops the others from the mapping, and caps CPU buffers, once', () => {
    const src = fakeTree();
    prepareLlamaSource(src);
    const cmake = readFileSync(join(src, 'src', 'CMakeLists.txt'), 'utf8');
    expect(cmake).toContain('set(LLAMA_MODELS_SOURCES models/llama.cpp models/starcoder.cpp)');
    expect(cmake).not.toContain('GLOB');
    const mapping = readFileSync(join(src, 'src', 'llama-model.cpp'), 'utf8');
    expect(mapping).toContain('return new llama_model_llama(params);');
    expect(mapping).toContain('return new llama_model_starcoder(params);');
    expect(mapping).not.toContain('XVERSE');
    expect(mapping).toContain('default:');
    const backend = readFileSync(join(src, 'ggml', 'src', 'ggml-backend.cpp'), 'utf8');
    expect(backend).toContain(`starling_cpu_buffer_max_size(ggml_backend_buffer_type_t) { return ${CPU_BUFFER_MAX}u; }`);
    expect(backend).toContain('/* .get_max_size     = */ starling_cpu_buffer_max_size,');
    // Only the CPU buffer type is capped.
    expect(backend.match(/defaults to SIZE_MAX/g)).toHaveLength(1);
    const simd = readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'simd-mappings.h'), 'utf8');
    expect(simd).toContain(readFileSync(WASM_F16_HEADER, 'utf8'));
    expect(simd).not.toContain('tmp[0] = GGML_CPU_FP16_TO_FP32(p[0]);');
    expect(simd).toContain('#define GGML_F16x4             v128_t');
    const ops = readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'ops.cpp'), 'utf8');
    // The row kernel comes before ggml's, which hands it F16 caches and skips its F16 accumulator then.
    expect(ops.indexOf('static void starling_fa_rows(')).toBeGreaterThan(-1);
    expect(ops.indexOf('static void starling_fa_rows(')).toBeLessThan(ops.indexOf('static void ggml_compute_forward_flash_attn_ext_f16_one_chunk('));
    // Each call of the kernel lets go of the rows an earlier call held, before its first row.
    expect(ops).toMatch(/starling_fa_forget\(params->ith\);[^\n]*\n\s+for \(int ir = ir0; ir < ir1; \+\+ir\) \{/);
    expect(ops).toMatch(/if \(starling_row\) \{\n[\s\S]+starling_fa_rows\(params->ith, DK, DV, &held,[\s\S]+\} else\n\s+for \(int64_t ic = ic_start; ic < ic_end; \+\+ic\) \{/);
    expect(ops).toContain('if (v->type == GGML_TYPE_F16 && !starling_row) {');
    expect(ops).toContain('neq1 >= STARLING_FA_TILED_MIN_ROWS);');
    expect(ops).toMatch(/int64_t chunk_size = \(nr \+ nth_scaled - 1\) \/ nth_scaled;\n\s+if \(neq1 == 1 && neq2 % nek2 == 0\) chunk_size = /);
    // The K-quant kernels come after the includes, and each of ggml's three calls its own first thing.
    const quants = readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm', 'quants.c'), 'utf8');
    expect(quants.indexOf(readFileSync(WASM_KQUANTS_HEADER, 'utf8'))).toBeGreaterThan(quants.indexOf('#include "ggml-quants.h"'));
    expect(quants.indexOf(readFileSync(WASM_KQUANTS_HEADER, 'utf8'))).toBeLessThan(quants.indexOf('void ggml_vec_dot_q8_0_q8_0('));
    for (const fn of KQUANT_DOTS) {
      // Before ggml's body (its first assert), after the pairs' dispatch where the type has one.
      const at = quants.indexOf(`void ${fn}${DOT_PARAMS}\n`);
      const call = quants.indexOf(`\n    starling_${fn.slice(5)}(n, s, vx, vy); // Starling Playground`, at);
      expect(at).toBeGreaterThan(-1);
      expect(call).toBeGreaterThan(at);
      expect(quants.slice(at, call)).not.toContain('assert(');
    }
    expect(quants.match(/starling_vec_dot_\w+\(n, s, vx, vy\);/g)).toHaveLength(KQUANT_DOTS.length);
    // Q2_K, Q3_K, Q4_K, Q5_K and Q6_K: pairs of rows on wasm, a pair of columns to the 2x2 kernel, a lone column row by row,
    // both before the one-row kernel's call (Q6_K's).
    for (const [, fn] of KQUANT_TILED) {
      expect(quants.replace(/vy, {2}size_t by/g, 'vy, size_t by')).toContain(`void ${fn}${DOT_PARAMS}\n#if defined __wasm_simd128__\n    // Starling Playground (engine/wasm_kquants.h): ggml-cpu.c asks for two rows`);
      expect(quants).toContain(`if (by) starling_${fn.slice(5)}_2x2(n, s, bs, vx, bx, vy, by);`);
    }
    const cpu = readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'ggml-cpu.c'), 'utf8');
    // Pairs on wasm: ARM's condition widened where ggml has one (Q4_K, Q6_K), a wasm one of its own (Q2_K, Q3_K, Q5_K).
    const arm = KQUANT_TILED.filter(([, , a]) => a).length;
    expect(arm).toBeGreaterThan(0);
    expect(arm).toBeLessThan(KQUANT_TILED.length);
    expect(cpu.split('#if defined (__ARM_FEATURE_MATMUL_INT8) || defined (__wasm_simd128__)\n        .nrows                    = 2,')).toHaveLength(arm + 1);
    expect(cpu).toContain(
      '        .vec_dot                  = ggml_vec_dot_q3_K_q8_K,\n        .vec_dot_type             = GGML_TYPE_Q8_K,\n#if defined(__wasm_simd128__) // Starling Playground (tools/engine-source.ts)\n        .nrows                    = 2,\n#else\n        .nrows                    = 1,\n#endif\n    },',
    );
    // Each edited line keeps ggml's own under #else, for every other target.
    expect(cpu.match(/#if defined\(__wasm_simd128__\) \/\/ Starling Playground/g)).toHaveLength(5 + KQUANT_TILED.length - arm);
    expect(cpu).toMatch(/#if defined\(__wasm_simd128__\)[^\n]*\n\s+if \(\(nr0 % 2 != 0\) \|\| \(ne11 == 1\) \|\| \(\(ir0_end - ir0_start\) % 2 != 0\)\) \{\n#else\n\s+if \(\(nr0 % 2 != 0\) \|\| \(ne11 % 2 != 0\)/);
    expect(cpu).toContain('ir1 += starling_cols) {');
    expect(cpu).toContain('starling_cols = num_rows_per_vec_dot > 1 && i11 + 1 < ne11 && ir1 + 1 < MIN(iir1 + blck_1, ir1_end) ? 2 : 1;');
    expect(cpu).toContain('src1_col, (starling_cols > 1 ? src1_col_stride : 0), num_rows_per_vec_dot);');
    expect(cpu).toContain('for (int cn = 0; cn < starling_cols; ++cn) {');
    // The metadata dump formats an array's first elements only; nothing else is touched.
    const impl = readFileSync(join(src, 'src', 'llama-impl.cpp'), 'utf8');
    expect(impl).toContain(`for (int j = 0; j < arr_n && j < ${ARRAY_ELEMENTS_SHOWN}; j++) { // Starling Playground`);
    expect(impl.match(/for \(int j = 0; j < arr_n; j\+\+\) \{/g)).toHaveLength(1);
    expect(impl.indexOf('static void other(int arr_n) {\n    for (int j = 0; j < arr_n; j++) {')).toBeGreaterThan(-1);
    // A second run leaves the edited tree as it is.
    prepareLlamaSource(src);
    expect(readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm', 'quants.c'), 'utf8')).toBe(quants);
    expect(readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'ggml-cpu.c'), 'utf8')).toBe(cpu);
    expect(readFileSync(join(src, 'src', 'llama-model.cpp'), 'utf8')).toBe(mapping);
    expect(readFileSync(join(src, 'ggml', 'src', 'ggml-backend.cpp'), 'utf8')).toBe(backend);
    expect(readFileSync(join(src, 'ggml', 'src', 'ggml-cpu', 'ops.cpp'), 'utf8')).toBe(ops);
    expect(readFileSync(join(src, 'src', 'llama-impl.cpp'), 'utf8')).toBe(impl);
  });

  it('refuses a flash-attention kernel, an F16 mapping or a K-quant dot product of another shape', () => {
    const src = fakeTree();
    const ops = join(src, 'ggml', 'src', 'ggml-cpu', 'ops.cpp');
    writeFileSync(ops, OPS.replace('for (int64_t ic = ic_start; ic < ic_end; ++ic) {', 'for (int64_t ic = 0; ic < n; ++ic) {'));
    expect(() => flashAttentionRows(src)).toThrow(/changed shape/);
    const simd = join(src, 'ggml', 'src', 'ggml-cpu', 'simd-mappings.h');
    writeFileSync(simd, SIMD_MAPPINGS.replace('tmp[3] = GGML_CPU_FP16_TO_FP32(p[3]);', 'tmp[3] = 0;'));
    expect(() => simdF16Conversions(src)).toThrow(/changed shape/);
    const quants = join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm', 'quants.c');
    writeFileSync(quants, QUANTS.replace('void ggml_vec_dot_q6_K_q8_K(int n,', 'void ggml_vec_dot_q6_K_q8_K(const int n,'));
    expect(() => kquantDots(src)).toThrow(/ggml_vec_dot_q6_K_q8_K in .* has changed shape/);
    const cpu = join(src, 'ggml', 'src', 'ggml-cpu', 'ggml-cpu.c');
    writeFileSync(cpu, GGML_CPU.replace('(ne11 % 2 != 0) || ', ''));
    expect(() => kquantTiles(src)).toThrow(/check for pairs in .* has changed shape/);
    // A type whose traits no longer read as ggml's (Q3_K given pairs of some other kind).
    writeFileSync(cpu, GGML_CPU.replace('ggml_vec_dot_q3_K_q8_K,\n        .vec_dot_type             = GGML_TYPE_Q8_K,\n        .nrows                    = 1,', 'ggml_vec_dot_q3_K_q8_K,\n        .vec_dot_type             = GGML_TYPE_Q8_K,\n        .nrows                    = 4,'));
    expect(() => kquantTiles(src)).toThrow(/Q3_K's type traits in .* has changed shape/);
    // An array loop of another shape.
    writeFileSync(join(src, 'src', 'llama-impl.cpp'), LLAMA_IMPL.replace('for (int j = 0; j < arr_n; j++) {\n                }', 'for (size_t j = 0; j < arr_n; ++j) {\n                }'));
    expect(() => shortArrayStrings(src)).toThrow(/gguf_kv_to_str in src\/llama-impl.cpp has changed shape/);
  });

  it('refuses a source whose build no longer globs the model files', () => {
    const src = fakeTree();
    writeFileSync(join(src, 'src', 'CMakeLists.txt'), 'set(LLAMA_MODELS_SOURCES models/a.cpp)\n');
    expect(() => trimLlamaSource(src)).toThrow(/no longer globs/);
  });
});
