// Starling Playground: flash attention over an F16 KV cache for a few query rows at a time, in wasm
// SIMD128.
//
// ggml's CPU kernel (ggml_compute_forward_flash_attn_ext_f16_one_chunk) serves generation and small
// prompt batches. Per query row and cached position it converts the query and the key to F16 for the
// dot product, and accumulates V in an F16 vector that it converts in and out. Wasm has no F16
// instructions, so a 12-turn chat on the 134M model spent four fifths of the engine's time there:
// generation fell from 74 to 24 tok/s as the history grew.
//
// Here the rows that share a KV head (a grouped-query model's heads, a small batch's tokens) are taken
// together: each 64-position block of K and V is converted to F32 once (engine/wasm_f16.h) and serves
// every row. Queries stay F32, V accumulates in F32, and a position whose softmax weight underflows to
// 0 is not accumulated (adding 0 * V changes nothing). tools/engine-source.ts puts this text before
// ggml's kernel and routes F16 caches without a logit softcap here.

#define STARLING_FA_BLOCK 64
// Rows attended together: a 7B Starling has 4 query heads per KV head.
#define STARLING_FA_GROUP 16
// The largest head size served (scratch is sized for it); larger heads stay on ggml's kernel.
#define STARLING_FA_MAX_D 256

// Prompt batches of this many tokens or more take ggml's tiled kernel, which converts each 64-position
// tile of K and V once for up to 64 query rows (ggml: 64, the tile's height).
#define STARLING_FA_TILED_MIN_ROWS 16

// Dot product of two F32 rows. ggml has one (ggml_vec_dot_f32), but out of line in vec.cpp: a call
// for each cached position. This is the same loop (four 4-wide accumulators), inline. Rows add with
// ggml_vec_mad_f32 (vec.h, inline), which this file is pasted after in ops.cpp.
inline static float starling_dot_f32(int64_t n, const float * x, const float * y) {
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(x + i + 0), wasm_v128_load(y + i + 0)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(x + i + 4), wasm_v128_load(y + i + 4)));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(x + i + 8), wasm_v128_load(y + i + 8)));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(x + i + 12), wasm_v128_load(y + i + 12)));
    }
    for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(y + i)));
    const v128_t a = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
    float s = wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3);
    for (; i < n; ++i) s += x[i] * y[i];
    return s;
}

// An F16 row to F32.
inline static void starling_f16_row(int64_t n, float * y, const ggml_fp16_t * x) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, __wasm_f16x4_load(x + i));
    for (; i < n; ++i) y[i] = GGML_CPU_FP16_TO_FP32(x[i]);
}

// Query rows that share one KV head, and what attending to them gives: per row the unnormalized
// output (DV values), the running maximum M and the sum S, as ggml's kernel keeps them.
struct starling_fa_rows_t {
    int64_t ir0;  // the first row's index in ggml's kernel (-1: none held)
    int64_t n;
    const float * q[STARLING_FA_GROUP];
    const ggml_fp16_t * mask[STARLING_FA_GROUP];  // each row's F16 mask, or NULL
    float slope[STARLING_FA_GROUP];
    float M[STARLING_FA_GROUP];
    float S[STARLING_FA_GROUP];
    float out[STARLING_FA_GROUP][STARLING_FA_MAX_D];
};

// Each thread's scratch, allocated on its first use (as static arrays they would be 150 KB of zeros
// in the wasm file): the group of rows ggml's kernel takes one at a time, and one block of K and V in
// F32. Indexed by ggml's thread index, not thread_local: the single-threaded module links the same
// library as the threaded one, and a thread_local there has no thread-local storage set up.
struct starling_fa_scratch_t {
    starling_fa_rows_t held;
    float kf[STARLING_FA_BLOCK * STARLING_FA_MAX_D];
    float vf[STARLING_FA_BLOCK * STARLING_FA_MAX_D];
};

static starling_fa_scratch_t * starling_fa_scratch_p[GGML_MAX_N_THREADS];

inline static starling_fa_scratch_t & starling_fa_scratch(int ith) {
    starling_fa_scratch_t *& p = starling_fa_scratch_p[ith];
    if (!p) {
        p = (starling_fa_scratch_t *) malloc(sizeof(starling_fa_scratch_t));
        GGML_ASSERT(p && "starling_fa: out of memory");
        p->held.ir0 = -1;
        p->held.n = 0;
    }
    return *p;
}

// At each call of ggml's kernel: rows held from an earlier call are of another state of the cache.
inline static void starling_fa_forget(int ith) {
    if (starling_fa_scratch_p[ith]) {
        starling_fa_scratch_p[ith]->held.ir0 = -1;
        starling_fa_scratch_p[ith]->held.n = 0;
    }
}

// Attends rows->n rows to positions [ic_start, ic_end) of one KV head: k and v point at position 0 of
// that head, rows nbk1 and nbv1 bytes apart. Starts each row from M = -inf, S = 0.
static void starling_fa_rows(int ith, int64_t DK, int64_t DV, starling_fa_rows_t * rows, const char * k, size_t nbk1, const char * v, size_t nbv1,
                             float scale, int64_t ic_start, int64_t ic_end) {
    float * kf = starling_fa_scratch(ith).kf;
    float * vf = starling_fa_scratch(ith).vf;
    float kq[STARLING_FA_GROUP][STARLING_FA_BLOCK];
    const int64_t nr = rows->n;
    for (int64_t r = 0; r < nr; ++r) {
        rows->M[r] = -INFINITY;
        rows->S[r] = 0.0f;
        memset(rows->out[r], 0, DV*sizeof(float));
    }
    for (int64_t ic0 = ic_start; ic0 < ic_end; ic0 += STARLING_FA_BLOCK) {
        const int64_t n = ic_end - ic0 < STARLING_FA_BLOCK ? ic_end - ic0 : STARLING_FA_BLOCK;
        bool k_done[STARLING_FA_BLOCK] = {};
        bool v_need[STARLING_FA_BLOCK] = {};
        for (int64_t r = 0; r < nr; ++r) {
            const ggml_fp16_t * mp = rows->mask[r];
            float block_max = -INFINITY;
            for (int64_t j = 0; j < n; ++j) {
                const float mv = mp ? rows->slope[r]*GGML_CPU_FP16_TO_FP32(mp[ic0 + j]) : 0.0f;
                if (mv == -INFINITY) {
                    kq[r][j] = -INFINITY;
                    continue;
                }
                if (!k_done[j]) {
                    starling_f16_row(DK, kf + j*DK, (const ggml_fp16_t *) (k + (ic0 + j)*nbk1));
                    k_done[j] = true;
                }
                const float s = starling_dot_f32(DK, kf + j*DK, rows->q[r])*scale + mv;
                kq[r][j] = s;
                block_max = s > block_max ? s : block_max;
            }
            if (block_max > rows->M[r]) {
                const float ms = expf(rows->M[r] - block_max);
                ggml_vec_scale_f32((int) DV, rows->out[r], ms);
                rows->S[r] *= ms;
                rows->M[r] = block_max;
            }
            for (int64_t j = 0; j < n; ++j) {
                // expf is 0 below about -103.97 (and for a masked position): nothing to add.
                const float d = kq[r][j] - rows->M[r];
                kq[r][j] = d;
                if (d > -104.0f) v_need[j] = true;
            }
        }
        for (int64_t j = 0; j < n; ++j) {
            if (v_need[j]) starling_f16_row(DV, vf + j*DV, (const ggml_fp16_t *) (v + (ic0 + j)*nbv1));
        }
        for (int64_t r = 0; r < nr; ++r) {
            for (int64_t j = 0; j < n; ++j) {
                const float d = kq[r][j];
                if (!(d > -104.0f)) {
                    continue;
                }
                const float vs = expf(d);
                rows->S[r] += vs;
                ggml_vec_mad_f32((int) DV, rows->out[r], vf + j*DV, vs);
            }
        }
    }
}
