// Starling Playground: flash attention for one query row over an F16 KV cache, in wasm SIMD128.
//
// ggml's CPU kernel (ggml_compute_forward_flash_attn_ext_f16_one_chunk) serves generation and every
// prompt batch under 64 tokens (larger ones take its tiled path). Per cached position it converts the
// query and the key to F16 for the dot product, and accumulates V in an F16 vector that it converts in
// and out for each position. Wasm has no F16 instructions, so a 12-turn chat on the 134M model spent
// four fifths of the engine's time there: generation fell from 74 to 24 tok/s as the history grew.
//
// Here the query stays F32, each key and value row is converted with SIMD (engine/wasm_f16.h), V
// accumulates in F32, and a position whose softmax weight underflows to 0 is not accumulated at all
// (adding 0 * V changes nothing). Scores are taken a block at a time, so the running maximum and its
// rescaling move once per block. tools/engine-source.ts puts this text before the kernel and routes
// F16 caches without a logit softcap here.

#define STARLING_FA_BLOCK 64

// Dot product of an F16 row and an F32 row.
inline static float starling_dot_f16_f32(int64_t n, const ggml_fp16_t * x, const float * y) {
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(__wasm_f16x4_load(x + i + 0), wasm_v128_load(y + i + 0)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(__wasm_f16x4_load(x + i + 4), wasm_v128_load(y + i + 4)));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(__wasm_f16x4_load(x + i + 8), wasm_v128_load(y + i + 8)));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(__wasm_f16x4_load(x + i + 12), wasm_v128_load(y + i + 12)));
    }
    for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(__wasm_f16x4_load(x + i), wasm_v128_load(y + i)));
    const v128_t a = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
    float s = wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3);
    for (; i < n; ++i) s += GGML_CPU_FP16_TO_FP32(x[i]) * y[i];
    return s;
}

// y += x * v, x an F16 row, y an F32 row.
inline static void starling_mad_f16_f32(int64_t n, float * y, const ggml_fp16_t * x, float v) {
    const v128_t vv = wasm_f32x4_splat(v);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(__wasm_f16x4_load(x + i), vv)));
    for (; i < n; ++i) y[i] += GGML_CPU_FP16_TO_FP32(x[i]) * v;
}

// One query row q (F32, DK values) against positions [ic_start, ic_end) of one KV head: k and v point
// at position 0 of that head, rows nbk1 and nbv1 bytes apart; mp is the row's F16 mask (or NULL).
// Leaves the unnormalized output in VKQ32 (DV values) and the running maximum and sum in *M and *S,
// as ggml's kernel does.
static void starling_fa_row(int64_t DK, int64_t DV, const float * q, const char * k, size_t nbk1, const char * v, size_t nbv1,
                            const ggml_fp16_t * mp, float slope, float scale, int64_t ic_start, int64_t ic_end,
                            float * VKQ32, float * M_io, float * S_io) {
    float M = *M_io;
    float S = *S_io;
    float kq[STARLING_FA_BLOCK];
    memset(VKQ32, 0, DV*sizeof(float));
    for (int64_t ic0 = ic_start; ic0 < ic_end; ic0 += STARLING_FA_BLOCK) {
        const int64_t n = ic_end - ic0 < STARLING_FA_BLOCK ? ic_end - ic0 : STARLING_FA_BLOCK;
        float block_max = -INFINITY;
        for (int64_t j = 0; j < n; ++j) {
            const float mv = mp ? slope*GGML_CPU_FP16_TO_FP32(mp[ic0 + j]) : 0.0f;
            if (mv == -INFINITY) {
                kq[j] = -INFINITY;
                continue;
            }
            const float s = starling_dot_f16_f32(DK, (const ggml_fp16_t *) (k + (ic0 + j)*nbk1), q)*scale + mv;
            kq[j] = s;
            block_max = s > block_max ? s : block_max;
        }
        if (block_max == -INFINITY) {
            continue;
        }
        if (block_max > M) {
            const float ms = expf(M - block_max);
            ggml_vec_scale_f32((int) DV, VKQ32, ms);
            S *= ms;
            M = block_max;
        }
        for (int64_t j = 0; j < n; ++j) {
            const float d = kq[j] - M;
            // expf is 0 below about -103.97 (and for a masked position): nothing to add.
            if (!(d > -104.0f)) {
                continue;
            }
            const float vs = expf(d);
            S += vs;
            starling_mad_f16_f32(DV, VKQ32, (const ggml_fp16_t *) (v + (ic0 + j)*nbv1), vs);
        }
    }
    *M_io = M;
    *S_io = S;
}

// Prompt batches of this many tokens or more take ggml's tiled kernel, which converts each 64-position
// tile of K and V once for up to 64 query rows (ggml: 64, the tile's height).
#define STARLING_FA_TILED_MIN_ROWS 16
