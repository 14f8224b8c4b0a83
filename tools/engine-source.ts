/**
 * Prepares llama.cpp's source for the own engine's wasm32 build: seven edits, each checked against the
 * source's shape so that a new llama.cpp that no longer fits fails the build loudly.
 *
 * 1. Trim to the architectures the own engine serves.
 * llama.cpp compiles one file per architecture (src/models/*.cpp, 156 files, about half of libllama's
 * compile time on 2 cores). The app's models (Starling/OpenChat and the test models: llama; StarChat:
 * starcoder) need two of them. Every other architecture is left out of the build: llama.cpp then
 * refuses it with "unsupported model architecture: '<name>'", and the engine worker hands such a
 * model to wllama, which has them all (engine-choice.ts).
 *
 * 2. Cap the CPU buffer type at 1 GiB. Emscripten's dlmalloc grows the heap with sbrk(intptr_t) and
 * refuses any one request of 2 GB or more (sys_alloc's HALF_MAX_SIZE_T), so a 3.1 GB 7B model, whose
 * weights llama.cpp asks for as one buffer, failed to load although it fits in wasm32's 4 GB. With a
 * maximum size, ggml allocates the weights as several buffers (ggml_backend_alloc_ctx_tensors_from_buft).
 *
 * 3. Convert F16 with SIMD in wasm (engine/wasm_f16.h). ggml's wasm build converts the F16 KV cache one
 * value at a time.
 *
 * 4. Attend the query rows that share a KV head together, in F32 (engine/wasm_fa.h). ggml's kernel for
 * generation and for prompt batches under 64 tokens converts the F16 cache in and out for every cached
 * position, so attention, not the weights, became the cost of a long conversation: on the 134M model
 * generation fell from 74 to 24 tok/s over a 12-turn chat.
 *
 * 5. Q6_K's one-row dot product in wasm SIMD registers (engine/wasm_kquants.h): ggml's wasm kernel
 * unpacks its weights a byte at a time through a stack array.
 *
 * 6. Two rows by two columns for the prompt's K-quant products (KQUANT_TILED, engine/wasm_kquants.h):
 * ggml's plumbing for ARM's int8 matrix instructions (a type's `nrows` of 2 and a 2x2 vec_dot) made to
 * work on wasm, so that each weight is unpacked once for two prompt tokens.
 *
 * 7. Format only an array's first elements for the load's metadata dump (gguf_kv_to_str, src/llama-impl.cpp).
 * llama.cpp writes every element of every array (32,002 tokens and their scores for Starling) into a
 * string, and then prints its first 40 characters: about 0.2 s of each load in wasm here, for nothing.
 * Arrays' strings are used nowhere else (llama-model.cpp and llama-adapter.cpp keep scalars only).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OWN_ARCHS } from '../workers/lib/engine/own/archs.ts';

/** The src/models files built in; each defines the llama_model_* classes of its architecture. */
const OWN_MODEL_FILES: string[] = Object.values(OWN_ARCHS);

const MARK = '.starling-edits';

/** The largest single CPU buffer, in bytes (see 2 above). */
export const CPU_BUFFER_MAX = 1 << 30;

/** The wasm SIMD F16 conversions put in place of ggml's scalar ones (see 3 above). */
export const WASM_F16_HEADER = fileURLToPath(new URL('../engine/wasm_f16.h', import.meta.url));
/** The flash-attention row kernel for F16 caches (see 4 above). */
export const WASM_FA_HEADER = fileURLToPath(new URL('../engine/wasm_fa.h', import.meta.url));
/** The K-quant dot product(s) put in front of ggml's wasm ones (see 5 above). */
export const WASM_KQUANTS_HEADER = fileURLToPath(new URL('../engine/wasm_kquants.h', import.meta.url));
/** The ggml functions that hand their work to WASM_KQUANTS_HEADER's (each `starling_` + the same name). */
export const KQUANT_DOTS = ['ggml_vec_dot_q6_K_q8_K'] as const;
/**
 * The ggml types whose pairs of rows and columns WASM_KQUANTS_HEADER computes (see 6 above): type, ggml
 * function, and whether ggml's traits already give it pairs on ARM (`#if __ARM_FEATURE_MATMUL_INT8`).
 */
export const KQUANT_TILED = [
  ['Q2_K', 'ggml_vec_dot_q2_K_q8_K', false],
  ['Q3_K', 'ggml_vec_dot_q3_K_q8_K', false],
  ['Q4_K', 'ggml_vec_dot_q4_K_q8_K', true],
  ['Q5_K', 'ggml_vec_dot_q5_K_q8_K', false],
  ['Q6_K', 'ggml_vec_dot_q6_K_q8_K', true],
] as const;

const fileKey = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);

/** What the edits change, for the build's cache key. */
export const sourceEditsKey = (): string =>
  `${OWN_MODEL_FILES.join(',')};cpu-buffer-max=${CPU_BUFFER_MAX};wasm-f16=${fileKey(WASM_F16_HEADER)};wasm-fa=${fileKey(WASM_FA_HEADER)};wasm-kquants=${fileKey(WASM_KQUANTS_HEADER)};edits=${fileKey(fileURLToPath(import.meta.url))}`;

/** The edits, once per source tree (a marked tree is left as it is). */
export function prepareLlamaSource(src: string): void {
  if (existsSync(join(src, MARK))) return;
  const dropped = trimLlamaSource(src);
  capCpuBuffers(src);
  simdF16Conversions(src);
  flashAttentionRows(src);
  kquantDots(src);
  kquantTiles(src);
  shortArrayStrings(src);
  writeFileSync(join(src, MARK), `${sourceEditsKey()}\n${dropped} architectures left out\n`);
}

export function capCpuBuffers(src: string): void {
  const path = join(src, 'ggml', 'src', 'ggml-backend.cpp');
  const text = readFileSync(path, 'utf8');
  const head = 'ggml_backend_buffer_type_t ggml_backend_cpu_buffer_type(void) {';
  const start = text.indexOf(head);
  const field = '/* .get_max_size     = */ NULL, // defaults to SIZE_MAX';
  const at = text.indexOf(field, start);
  if (start < 0 || at < 0 || at - start > 600) throw new Error('engine source: ggml_backend_cpu_buffer_type in ggml/src/ggml-backend.cpp has changed shape');
  const fn =
    '// Starling Playground (tools/engine-source.ts): wasm32 malloc cannot serve one request of 2 GB or more.\n' +
    `static size_t starling_cpu_buffer_max_size(ggml_backend_buffer_type_t) { return ${CPU_BUFFER_MAX}u; }\n\n`;
  writeFileSync(path, text.slice(0, start) + fn + text.slice(start, at) + '/* .get_max_size     = */ starling_cpu_buffer_max_size,' + text.slice(at + field.length));
}

/**
 * Replaces ggml's wasm F16 load and store (ggml-cpu/simd-mappings.h: a scalar conversion of each of four
 * values through a stack array) with engine/wasm_f16.h's SIMD ones.
 */
export function simdF16Conversions(src: string): void {
  const path = join(src, 'ggml', 'src', 'ggml-cpu', 'simd-mappings.h');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('inline static v128_t __wasm_f16x4_load(const ggml_fp16_t * p) {');
  const end = text.indexOf('#define GGML_F16x4             v128_t', start);
  const old = start < 0 || end < 0 ? '' : text.slice(start, end);
  if (!old.includes('inline static void __wasm_f16x4_store(ggml_fp16_t * p, v128_t x) {') || (old.match(/GGML_CPU_FP16_TO_FP32/g) ?? []).length !== 4) {
    throw new Error('engine source: the wasm F16 load and store in ggml/src/ggml-cpu/simd-mappings.h have changed shape');
  }
  writeFileSync(path, text.slice(0, start) + readFileSync(WASM_F16_HEADER, 'utf8') + '\n' + text.slice(end));
}

/** Routes ggml's per-row flash attention over an F16 cache to engine/wasm_fa.h's kernel. */
export function flashAttentionRows(src: string): void {
  const path = join(src, 'ggml', 'src', 'ggml-cpu', 'ops.cpp');
  let text = readFileSync(path, 'utf8');
  const shape = (): Error => new Error('engine source: ggml_compute_forward_flash_attn_ext_f16_one_chunk in ggml/src/ggml-cpu/ops.cpp has changed shape');
  const head = 'static void ggml_compute_forward_flash_attn_ext_f16_one_chunk(';
  const start = text.indexOf(head);
  if (start < 0) throw shape();
  // The position loop and the F16 accumulator's conversion after it, both inside the kernel.
  const loop = '        for (int64_t ic = ic_start; ic < ic_end; ++ic) {';
  const after = '        if (v->type == GGML_TYPE_F16) {\n            for (int64_t d = 0; d < DV; ++d) {\n                VKQ32[d] = GGML_CPU_FP16_TO_FP32(VKQ16[d]);';
  const atLoop = text.indexOf(loop, start);
  const atAfter = text.indexOf(after, atLoop);
  const nextFn = text.indexOf('\nstatic ', start + head.length);
  if (atLoop < 0 || atAfter < 0 || atAfter > nextFn || !text.slice(start, atLoop).includes('q_to_vec_dot(pq, Q_q, DK);')) throw shape();
  const route = [
    '        // Starling Playground (tools/engine-source.ts): an F16 cache is attended by engine/wasm_fa.h,',
    "        // together with the next rows that share this row's KV head.",
    '        const bool starling_row = k->type == GGML_TYPE_F16 && v->type == GGML_TYPE_F16 && logit_softcap == 0.0f && DK <= STARLING_FA_MAX_D && DV <= STARLING_FA_MAX_D;',
    '        if (starling_row) {',
    '            starling_fa_rows_t & held = starling_fa_scratch(params->ith).held;',
    '            if (!(ir >= held.ir0 && ir < held.ir0 + held.n)) {',
    '                held.ir0 = ir;',
    '                held.n = 0;',
    '                for (int64_t r = ir; r < ir1 && held.n < STARLING_FA_GROUP; ++r) {',
    '                    const int64_t r3 = r/(neq2*neq1);',
    '                    const int64_t r2 = (r - r3*neq2*neq1)/neq1;',
    '                    const int64_t r1 = r - r3*neq2*neq1 - r2*neq1;',
    '                    if (r3 != iq3 || r2/rk2 != ik2 || r2/rv2 != iv2) break;',
    '                    held.q[held.n] = (const float *) ((const char *) q->data + (r1*nbq1 + r2*nbq2 + r3*nbq3));',
    '                    held.mask[held.n] = mask ? (const ggml_fp16_t *) ((const char *) mask->data + r1*mask->nb[1] + (r2%mask->ne[2])*mask->nb[2] + (r3%mask->ne[3])*mask->nb[3]) : NULL;',
    '                    held.slope[held.n] = (max_bias > 0.0f) ? r2 < n_head_log2 ? powf(m0, r2 + 1) : powf(m1, 2*(r2 - n_head_log2) + 1) : 1.0f;',
    '                    held.n++;',
    '                }',
    '                starling_fa_rows(params->ith, DK, DV, &held, (const char *) k->data + ik2*nbk2 + ik3*nbk3, nbk1, (const char *) v->data + iv2*nbv2 + iv3*nbv3, nbv1, scale, ic_start, ic_end);',
    '            }',
    '            M = held.M[ir - held.ir0];',
    '            S = held.S[ir - held.ir0];',
    '            memcpy(VKQ32, held.out[ir - held.ir0], DV*sizeof(float));',
    '        } else',
    '',
  ].join('\n');
  // Rows held from an earlier call are of another cache state.
  const rowLoop = '    for (int ir = ir0; ir < ir1; ++ir) {';
  const atRows = text.indexOf(rowLoop, start);
  if (atRows < 0 || atRows > atLoop) throw shape();
  const reset = '    starling_fa_forget(params->ith); // Starling Playground (engine/wasm_fa.h)\n';
  text =
    text.slice(0, start) +
    readFileSync(WASM_FA_HEADER, 'utf8') +
    '\n' +
    text.slice(start, atRows) +
    reset +
    text.slice(atRows, atLoop) +
    route +
    text.slice(atLoop, atAfter) +
    after.replace('if (v->type == GGML_TYPE_F16) {', 'if (v->type == GGML_TYPE_F16 && !starling_row) {') +
    text.slice(atAfter + after.length);
  // The tiled kernel (a GEMM over 64 query rows, padded) from this many rows: measured against one row
  // at a time, not yet against the group kernel.
  const tiled = '                                neq1 >= Q_TILE_SZ);';
  const atTiled = text.indexOf(tiled, text.indexOf('static void ggml_compute_forward_flash_attn_ext_f16('));
  if (atTiled < 0 || text.indexOf(tiled, atTiled + 1) >= 0) throw shape();
  text = text.slice(0, atTiled) + tiled.replace('Q_TILE_SZ', 'STARLING_FA_TILED_MIN_ROWS') + text.slice(atTiled + tiled.length);
  // Generation's rows are heads: a chunk of rows holds whole groups of the heads that share a KV head,
  // so the group is attended together (ggml's 4 chunks per thread split a 7B's groups of 4 from 3 threads up).
  const dispatch = text.indexOf('static void ggml_compute_forward_flash_attn_ext_f16(');
  const chunk = '        int64_t chunk_size = (nr + nth_scaled - 1) / nth_scaled;\n';
  const atChunk = text.indexOf(chunk, dispatch);
  const afterDispatch = text.indexOf('\nstatic ', dispatch + 1);
  if (atChunk < 0 || (afterDispatch >= 0 && afterDispatch < atChunk)) throw shape();
  const align = '        if (neq1 == 1 && neq2 % nek2 == 0) chunk_size = (chunk_size + neq2/nek2 - 1) / (neq2/nek2) * (neq2/nek2); // Starling Playground\n';
  text = text.slice(0, atChunk + chunk.length) + align + text.slice(atChunk + chunk.length);
  writeFileSync(path, text);
}

/**
 * Puts engine/wasm_kquants.h before ggml's wasm dot products (ggml-cpu/arch/wasm/quants.c) and has each
 * of KQUANT_DOTS call its kernel first thing (ggml's body stays, unreached: the edit stays one insertion).
 */
export function kquantDots(src: string): void {
  const path = join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm', 'quants.c');
  let text = readFileSync(path, 'utf8');
  const shape = (what: string): Error => new Error(`engine source: ${what} in ggml/src/ggml-cpu/arch/wasm/quants.c has changed shape`);
  const params = '(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, size_t bx, const void * GGML_RESTRICT vy, size_t by, int nrc) {\n';
  const first = text.indexOf('\nvoid ggml_vec_dot_');
  if (first < 0) throw shape('the dot products');
  for (const fn of KQUANT_DOTS) {
    const head = `\nvoid ${fn}${params}`;
    const at = text.indexOf(head);
    if (at < 0 || text.indexOf(head, at + 1) >= 0 || !text.slice(at + head.length).startsWith('    assert(n % QK_K == 0);')) throw shape(fn);
    const call = `#if defined __wasm_simd128__\n    starling_${fn.slice('ggml_'.length)}(n, s, vx, vy); // Starling Playground (engine/wasm_kquants.h)\n    return;\n#endif\n`;
    text = text.slice(0, at + head.length) + call + text.slice(at + head.length);
  }
  const header = `#if defined __wasm_simd128__\n${readFileSync(WASM_KQUANTS_HEADER, 'utf8')}#endif\n`;
  writeFileSync(path, text.slice(0, first + 1) + header + '\n' + text.slice(first + 1));
}

/** Elements of an array that gguf_kv_to_str formats (see 7 above): more than the 40 characters printed. */
export const ARRAY_ELEMENTS_SHOWN = 16;

/** Stops gguf_kv_to_str's array loop after ARRAY_ELEMENTS_SHOWN elements (see 7 above). */
export function shortArrayStrings(src: string): void {
  const path = join(src, 'src', 'llama-impl.cpp');
  const text = readFileSync(path, 'utf8');
  const head = 'std::string gguf_kv_to_str(const struct gguf_context * ctx_gguf, int i) {';
  const loop = 'for (int j = 0; j < arr_n; j++) {';
  const start = text.indexOf(head);
  const end = text.indexOf('\n}\n', start);
  const at = text.indexOf(loop, start);
  // The loop must be the function's own (and its only one).
  const again = text.indexOf(loop, at + 1);
  if (start < 0 || at < 0 || at > end || (again >= 0 && again < end)) throw new Error('engine source: gguf_kv_to_str in src/llama-impl.cpp has changed shape');
  const by = `for (int j = 0; j < arr_n && j < ${ARRAY_ELEMENTS_SHOWN}; j++) { // Starling Playground (tools/engine-source.ts): only the first 40 characters are printed`;
  writeFileSync(path, text.slice(0, at) + by + text.slice(at + loop.length));
}

/** Replaces `old`, which must occur exactly once in `text`. */
function replaceOnce(text: string, old: string, by: string, fail: () => Error): string {
  const at = text.indexOf(old);
  if (at < 0 || text.indexOf(old, at + 1) >= 0) throw fail();
  return text.slice(0, at) + by + text.slice(at + old.length);
}

/**
 * Gives KQUANT_TILED ggml's two-by-two products on wasm (see 6 above): each type's `nrows` becomes 2, the
 * matrix product keeps pairs of columns when a prompt batch is odd (its lone column takes one) and not
 * for a single column, and each type's wasm function sends a pair of columns to its 2x2 kernel and a
 * lone one, row by row, to its own body.
 */
export function kquantTiles(src: string): void {
  const cpuPath = join(src, 'ggml', 'src', 'ggml-cpu', 'ggml-cpu.c');
  const shape = (what: string): (() => Error) => () => new Error(`engine source: ${what} in ggml/src/ggml-cpu/ggml-cpu.c has changed shape`);
  let cpu = readFileSync(cpuPath, 'utf8');
  const wasm = '#if defined(__wasm_simd128__) // Starling Playground (tools/engine-source.ts)\n';

  // The types' pairs: ARM's condition widened to wasm, or a wasm condition of their own.
  for (const [type, fn, arm] of KQUANT_TILED) {
    const head = `        .vec_dot                  = ${fn},\n        .vec_dot_type             = GGML_TYPE_Q8_K,\n`;
    const traits = head + (arm ? '#if defined (__ARM_FEATURE_MATMUL_INT8)\n        .nrows                    = 2,\n' : '        .nrows                    = 1,\n');
    const ours = arm
      ? traits.replace('#if defined (__ARM_FEATURE_MATMUL_INT8)', '#if defined (__ARM_FEATURE_MATMUL_INT8) || defined (__wasm_simd128__)')
      : `${head}${wasm}        .nrows                    = 2,\n#else\n        .nrows                    = 1,\n#endif\n`;
    cpu = replaceOnce(cpu, traits, ours, shape(`${type}'s type traits`));
  }

  // An odd count of columns no longer gives up the pairs; generation's single column keeps ggml's
  // one-row calls (a lone column through the pairs' path cost the 134M Q4_K model 5% of its generation).
  const check = '        if ((nr0 % 2 != 0) || (ne11 % 2 != 0) || ((ir0_end - ir0_start) % 2 != 0) || ((ir1_end - ir1_start) % 2 != 0)) {\n';
  cpu = replaceOnce(cpu, check, `${wasm}        if ((nr0 % 2 != 0) || (ne11 == 1) || ((ir0_end - ir0_start) % 2 != 0)) {\n#else\n${check}#endif\n`, shape('the matrix product\'s check for pairs'));

  // The chunk's columns: a pair where the next column is of the same matrix and in this block, else one.
  const colLoop = '            for (int64_t ir1 = iir1; ir1 < iir1 + blck_1 && ir1 < ir1_end; ir1 += num_rows_per_vec_dot) {\n';
  cpu = replaceOnce(
    cpu,
    colLoop,
    `${wasm}            int64_t starling_cols = 1;\n            for (int64_t ir1 = iir1; ir1 < iir1 + blck_1 && ir1 < ir1_end; ir1 += starling_cols) {\n#else\n${colLoop}#endif\n`,
    shape('the chunk\'s column loop'),
  );
  const colPtr = '                float * dst_col = (float*)((char*)dst->data + (i1 * nb1 + i2 * nb2 + i3 * nb3));\n';
  cpu = replaceOnce(
    cpu,
    colPtr,
    `${colPtr}${wasm}                starling_cols = num_rows_per_vec_dot > 1 && i11 + 1 < ne11 && ir1 + 1 < MIN(iir1 + blck_1, ir1_end) ? 2 : 1;\n#endif\n`,
    shape('the chunk\'s column pointer'),
  );
  const call =
    '                    vec_dot(ne00, &tmp[ir0 - iir0], (num_rows_per_vec_dot > 1 ? 16 : 0), src0_row + ir0 * nb01, (num_rows_per_vec_dot > 1 ? nb01 : 0), src1_col, (num_rows_per_vec_dot > 1 ? src1_col_stride : 0), num_rows_per_vec_dot);\n';
  cpu = replaceOnce(
    cpu,
    call,
    `${wasm}                    vec_dot(ne00, &tmp[ir0 - iir0], (num_rows_per_vec_dot > 1 ? 16 : 0), src0_row + ir0 * nb01, (num_rows_per_vec_dot > 1 ? nb01 : 0), src1_col, (starling_cols > 1 ? src1_col_stride : 0), num_rows_per_vec_dot);\n#else\n${call}#endif\n`,
    shape('the chunk\'s vec_dot call'),
  );
  const copy = '                for (int cn = 0; cn < num_rows_per_vec_dot; ++cn) {\n';
  cpu = replaceOnce(cpu, copy, `${wasm}                for (int cn = 0; cn < starling_cols; ++cn) {\n#else\n${copy}#endif\n`, shape('the chunk\'s copy of its results'));
  writeFileSync(cpuPath, cpu);

  // Each wasm function: pairs of columns to its 2x2 kernel, a lone column (by == 0) row by row to itself.
  const quantsPath = join(src, 'ggml', 'src', 'ggml-cpu', 'arch', 'wasm', 'quants.c');
  let quants = readFileSync(quantsPath, 'utf8');
  for (const [, fn] of KQUANT_TILED) {
    const params = '(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, size_t bx, const void * GGML_RESTRICT vy, size_t by, int nrc) {\n';
    // ggml's own spacing varies (Q5_K's has two spaces before `size_t by`): the head is compared word by word.
    const at = quants.indexOf(`\nvoid ${fn}(`);
    const end = quants.indexOf('{\n', at) + 2;
    if (at < 0 || quants.slice(at + 1, end).replace(/ +/g, ' ') !== `void ${fn}${params}`) throw new Error(`engine source: ${fn} in ggml/src/ggml-cpu/arch/wasm/quants.c has changed shape`);
    const head = quants.slice(at, end);
    const dispatch = [
      '#if defined __wasm_simd128__',
      '    // Starling Playground (engine/wasm_kquants.h): ggml-cpu.c asks for two rows (nrc == 2), by two columns or one.',
      '    if (nrc == 2) {',
      `        if (by) starling_${fn.slice('ggml_'.length)}_2x2(n, s, bs, vx, bx, vy, by);`,
      `        else { ${fn}(n, s, 0, vx, 0, vy, 0, 1); ${fn}(n, s + 1, 0, (const char *) vx + bx, 0, vy, 0, 1); }`,
      '        return;',
      '    }',
      '#endif',
      '',
    ].join('\n');
    quants = replaceOnce(quants, head, head + dispatch, () => new Error(`engine source: ${fn} in ggml/src/ggml-cpu/arch/wasm/quants.c has changed shape`));
  }
  writeFileSync(quantsPath, quants);
}

/**
 * Rewrites src/CMakeLists.txt to compile only OWN_MODEL_FILES and drops from llama_model_mapping
 * (src/llama-model.cpp) every case whose class no kept file defines; returns how many it dropped.
 */
export function trimLlamaSource(src: string): number {
  const models = join(src, 'src', 'models');
  const kept = new Set<string>();
  for (const f of OWN_MODEL_FILES) {
    for (const m of readFileSync(join(models, f), 'utf8').matchAll(/\b(llama_model_\w+)::/g)) kept.add(m[1]);
  }
  const all = readdirSync(models).filter((f) => f.endsWith('.cpp'));
  for (const f of OWN_MODEL_FILES) if (!all.includes(f)) throw new Error(`engine source: src/models/${f} is not in this llama.cpp`);

  const cmakePath = join(src, 'src', 'CMakeLists.txt');
  const cmake = readFileSync(cmakePath, 'utf8');
  const glob = 'file(GLOB LLAMA_MODELS_SOURCES "models/*.cpp")';
  if (!cmake.includes(glob)) throw new Error('engine source: src/CMakeLists.txt no longer globs models/*.cpp');
  writeFileSync(cmakePath, cmake.replace(glob, `set(LLAMA_MODELS_SOURCES ${OWN_MODEL_FILES.map((f) => `models/${f}`).join(' ')})`));

  const modelPath = join(src, 'src', 'llama-model.cpp');
  const model = readFileSync(modelPath, 'utf8');
  let dropped = 0;
  const trimmed = model.replace(/^\s*case LLM_ARCH_\w+:\s*\n\s*return new (llama_model_\w+)\(params\);\s*\n/gm, (whole, cls: string) => {
    if (kept.has(cls)) return whole;
    dropped++;
    return '';
  });
  if (dropped === 0) throw new Error('engine source: llama_model_mapping in src/llama-model.cpp has changed shape');
  writeFileSync(modelPath, trimmed);
  return dropped;
}
