// Starling Playground: the dot product of Q6_K weights with Q8_K activations, and Q2_K's, Q3_K's, Q4_K's,
// Q5_K's and Q6_K's two rows by two columns (the prompt), in wasm SIMD128.
//
// On the own engine's CPU path every matrix product of a K-quant model runs through ggml's vec_dot
// functions, for generation and for the prompt alike, and in wasm they are bound by arithmetic, not by
// memory. Q6_K is the output matrix and half the FFN-down and V matrices of a Q4_K_M or Q5_K_M file.
// ggml's wasm Q6_K unpacks its 6-bit weights one byte at a time through a stack array and multiplies
// in 32-bit lanes; here each group of 16 weights is unpacked in registers, multiplied and added in
// pairs (i32x4.dot_i16x8_s), scaled once in 32-bit lanes, and the lanes are added up once per block of
// 256. In Chromium's calibration this took Q6_K from 5.6 to 6.8 billion weights a second at 1 thread.
// The same treatment of Q3_K and Q4_K, whose ggml kernels already unpack in registers, was 19% and
// 8% faster in Node's V8 but no faster in Chromium's, so their one-row kernels stay ggml's.
//
// The integer sums are exact, as ggml's are; each block's float scaling is ggml's (d * sum); only the
// order in which the blocks' floats are added can differ, as it does between ggml's own kernels.
// tools/engine-source.ts makes ggml's wasm functions call these; tests/unit/wasm-kquants.c checks
// them against plain double-precision dequantization.

// ggml-cpu.c's two rows and two columns: the second `stride` bytes after the first.
static inline __attribute__((always_inline)) const void * starling_next(const void * p, size_t stride) { return (const char *) p + stride; }

static inline __attribute__((always_inline)) int32_t starling_hsum_i32x4(v128_t v) {
    v = wasm_i32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_i32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_i32x4_extract_lane(v, 0);
}

// A group of 16 signed weights widened to two 16-bit halves, each weight times the group's scale: for
// two rows by two columns, two 16-bit multiplies a row instead of one 32-bit multiply (slow on x86) per
// row and column. Q3_K's |w * scale| <= 4 * 32, well inside 16 bits. (Q6_K's 2x2 measured no faster so.)
static inline __attribute__((always_inline)) void starling_widen_scaled(v128_t w, int scale, v128_t * lo, v128_t * hi) {
    const v128_t sc = wasm_i16x8_splat((int16_t) scale);
    *lo = wasm_i16x8_mul(wasm_i16x8_extend_low_i8x16(w), sc);
    *hi = wasm_i16x8_mul(wasm_i16x8_extend_high_i8x16(w), sc);
}

// acc + the 16 products of widened weights (lo, hi) with 16 activations, in four 32-bit lanes.
static inline __attribute__((always_inline)) v128_t starling_dot16(v128_t acc, v128_t lo, v128_t hi, const int8_t * q) {
    const v128_t c = wasm_v128_load(q);
    return wasm_i32x4_add(acc, wasm_i32x4_add(wasm_i32x4_dot_i16x8(lo, wasm_i16x8_extend_low_i8x16(c)), wasm_i32x4_dot_i16x8(hi, wasm_i16x8_extend_high_i8x16(c))));
}

// acc + dot(w, q) * scale, for one row: one 32-bit multiply of the four sums.
static inline __attribute__((always_inline)) v128_t starling_scaled_dot16(v128_t acc, v128_t w, const int8_t * q, int scale) {
    return wasm_i32x4_add(acc, wasm_i32x4_mul(starling_dot16(wasm_i32x4_splat(0), wasm_i16x8_extend_low_i8x16(w), wasm_i16x8_extend_high_i8x16(w), q), wasm_i32x4_splat(scale)));
}

// Two rows' 16 widened weights (w0l, w0h; w1l, w1h) against two columns' 16 activations (p0, p1):
// a[r + 2c] += row r . column c. Each activation is widened once for both rows.
static inline __attribute__((always_inline)) void starling_mac2x2(v128_t a[4], v128_t w0l, v128_t w0h, v128_t w1l, v128_t w1h, const int8_t * p0, const int8_t * p1) {
    const v128_t c0 = wasm_v128_load(p0), c1 = wasm_v128_load(p1);
    const v128_t c0l = wasm_i16x8_extend_low_i8x16(c0), c0h = wasm_i16x8_extend_high_i8x16(c0);
    const v128_t c1l = wasm_i16x8_extend_low_i8x16(c1), c1h = wasm_i16x8_extend_high_i8x16(c1);
    a[0] = wasm_i32x4_add(a[0], wasm_i32x4_add(wasm_i32x4_dot_i16x8(w0l, c0l), wasm_i32x4_dot_i16x8(w0h, c0h)));
    a[1] = wasm_i32x4_add(a[1], wasm_i32x4_add(wasm_i32x4_dot_i16x8(w1l, c0l), wasm_i32x4_dot_i16x8(w1h, c0h)));
    a[2] = wasm_i32x4_add(a[2], wasm_i32x4_add(wasm_i32x4_dot_i16x8(w0l, c1l), wasm_i32x4_dot_i16x8(w0h, c1h)));
    a[3] = wasm_i32x4_add(a[3], wasm_i32x4_add(wasm_i32x4_dot_i16x8(w1l, c1l), wasm_i32x4_dot_i16x8(w1h, c1h)));
}

// Where ggml-cpu.c reads a 2x2 kernel's results: row 0 and row 1 of column 0 at s[0] and s[1], of
// column 1 at s[bs] and s[bs + 1] (r in starling_mac2x2's order).
static inline __attribute__((always_inline)) void starling_store2x2(float * s, size_t bs, const float r[4]) {
    s[0] = r[0];
    s[1] = r[1];
    s[bs] = r[2];
    s[bs + 1] = r[3];
}

// Q6_K: per 128 weights, 64 bytes of low nibbles (ql) and 32 of high bit pairs (qh); weight
// l + 32*k (l < 32) takes ql[l + 32*(k&1)]'s low (k < 2) or high nibble and qh[l]'s bits 2k, 2k+1,
// minus 32. One signed 8-bit scale per 16 weights. w[k] gets weights 32k + l .. 32k + l + 15 of the
// 128 at ql, qh (l is 0 or 16).
static inline __attribute__((always_inline)) void starling_q6_K_unpack(const uint8_t * ql, const uint8_t * qh, int l, v128_t w[4]) {
    const v128_t m4 = wasm_i8x16_splat(0x0F);
    const v128_t m30 = wasm_i8x16_splat(0x30);
    const v128_t c32 = wasm_i8x16_splat(32);
    const v128_t a = wasm_v128_load(ql + l);
    const v128_t b = wasm_v128_load(ql + 32 + l);
    const v128_t h = wasm_v128_load(qh + l);
    // 16-bit shifts move bits between a lane's two bytes; the masks keep each byte's own.
    w[0] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(a, m4), wasm_v128_and(wasm_i16x8_shl(h, 4), m30)), c32);
    w[1] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(b, m4), wasm_v128_and(wasm_i16x8_shl(h, 2), m30)), c32);
    w[2] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(wasm_u16x8_shr(a, 4), m4), wasm_v128_and(h, m30)), c32);
    w[3] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(wasm_u16x8_shr(b, 4), m4), wasm_v128_and(wasm_u16x8_shr(h, 2), m30)), c32);
}

static void starling_vec_dot_q6_K_q8_K(int n, float * s, const void * vx, const void * vy) {
    const block_q6_K * x = (const block_q6_K *) vx;
    const block_q8_K * y = (const block_q8_K *) vy;
    const int nb = n / QK_K;
    float sumf = 0;
    for (int i = 0; i < nb; ++i) {
        const uint8_t * ql = x[i].ql;
        const uint8_t * qh = x[i].qh;
        const int8_t * q8 = y[i].qs;
        const int8_t * sc = x[i].scales;
        v128_t acc = wasm_i32x4_splat(0);
        for (int half = 0; half < 2; ++half) {
            for (int l = 0; l < 32; l += 16) {
                v128_t w[4];
                starling_q6_K_unpack(ql, qh, l, w);
                const int k = l / 16;
                acc = starling_scaled_dot16(acc, w[0], q8 + l, sc[k]);
                acc = starling_scaled_dot16(acc, w[1], q8 + 32 + l, sc[2 + k]);
                acc = starling_scaled_dot16(acc, w[2], q8 + 64 + l, sc[4 + k]);
                acc = starling_scaled_dot16(acc, w[3], q8 + 96 + l, sc[6 + k]);
            }
            ql += 64;
            qh += 32;
            q8 += 128;
            sc += 8;
        }
        const float d = GGML_CPU_FP16_TO_FP32(x[i].d) * y[i].d;
        sumf += d * (float) starling_hsum_i32x4(acc);
    }
    *s = sumf;
}

// Q4_K and Q5_K, one block of two rows by two columns (ggml's nrc == 2 layout: rows vx and vx + bx,
// columns vy and vy + by; results as starling_store2x2 puts them), added to r.
// A prompt's matrix products are rows times many columns: each 16 weights, unpacked and widened once,
// serve two columns, and each 16 activations, widened once, two rows. ggml's wasm Q4_K kernel does
// that work for every row and column pair. In Chromium's calibration Q4_K's prompt rate went from 16.0
// to 24.2 billion weights a second at 2 threads, and the 134M Q4_K model's prompt from ~136 to ~211 tok/s.
// Products are summed as the one-row kernel sums them: integers exact, d * sum - dmin * mins per block.
// Both formats: eight 6-bit scales and mins (ggml's packing), 4-bit weights whose 32-byte groups j hold
// weights 64j .. 64j + 31 in the low nibbles and the next 32 in the high ones; Q5_K adds a fifth bit,
// bit 2j (low nibbles) or 2j + 1 (high) of qh[l] for byte l of the group. qh0 == NULL: Q4_K.
static inline __attribute__((always_inline)) void starling_q45_K_block_2x2(const uint8_t * scales0, const uint8_t * scales1, const uint8_t * qs0, const uint8_t * qs1,
                                                                       const uint8_t * qh0, const uint8_t * qh1, const float dm[4], const block_q8_K * y0, const block_q8_K * y1, float r[4]) {
    const uint32_t kmask1 = 0x3f3f3f3f;
    const uint32_t kmask2 = 0x0f0f0f0f;
    const uint32_t kmask3 = 0x03030303;
    const v128_t m4 = wasm_i8x16_splat(0x0F);
    const v128_t m10 = wasm_i8x16_splat(0x10);
    // Each row's scales and mins, as the one-row kernels unpack them.
    uint32_t u0[4], u1[4];
    memcpy(u0, scales0, 12);
    memcpy(u1, scales1, 12);
    for (int row = 0; row < 2; ++row) {
        uint32_t * u = row ? u1 : u0;
        u[3] = ((u[2] >> 4) & kmask2) | (((u[1] >> 6) & kmask3) << 4);
        const uint32_t uaux = u[1] & kmask1;
        u[1] = (u[2] & kmask2) | (((u[0] >> 6) & kmask3) << 4);
        u[2] = uaux;
        u[0] &= kmask1;
    }
    const uint8_t * sc0 = (const uint8_t *) &u0[0];
    const uint8_t * sc1 = (const uint8_t *) &u1[0];
    const v128_t min0 = wasm_u16x8_load8x8(&u0[2]);
    const v128_t min1 = wasm_u16x8_load8x8(&u1[2]);
    // Each column's sums of 32 activations (pairs of Q8_K's sums of 16), against each row's mins.
    const v128_t b0 = wasm_i16x8_add(
        wasm_i16x8_shuffle(wasm_v128_load(y0->bsums), wasm_v128_load(y0->bsums + 8), 0, 2, 4, 6, 8, 10, 12, 14),
        wasm_i16x8_shuffle(wasm_v128_load(y0->bsums), wasm_v128_load(y0->bsums + 8), 1, 3, 5, 7, 9, 11, 13, 15));
    const v128_t b1 = wasm_i16x8_add(
        wasm_i16x8_shuffle(wasm_v128_load(y1->bsums), wasm_v128_load(y1->bsums + 8), 0, 2, 4, 6, 8, 10, 12, 14),
        wasm_i16x8_shuffle(wasm_v128_load(y1->bsums), wasm_v128_load(y1->bsums + 8), 1, 3, 5, 7, 9, 11, 13, 15));

    v128_t a[4] = { wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0) };
    // Q5_K's fifth bits: each step below uses bit 0 of each byte and shifts the bytes down by one. The
    // 16-bit shifts bring a lane's high byte's bits into its low byte's top, never as low as bit 0 in 8 steps.
    v128_t e[4] = { wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0) };
    if (qh0) {
        e[0] = wasm_v128_load(qh0);
        e[1] = wasm_v128_load(qh0 + 16);
        e[2] = wasm_v128_load(qh1);
        e[3] = wasm_v128_load(qh1 + 16);
    }
    for (int j = 0; j < QK_K / 64; ++j) {
        for (int h = 0; h < 2; ++h) {
            v128_t t[4] = { wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0) };
            for (int k = 0; k < 2; ++k) {
                v128_t r0 = wasm_v128_load(qs0 + 32 * j + 16 * k);
                v128_t r1 = wasm_v128_load(qs1 + 32 * j + 16 * k);
                if (h) {
                    r0 = wasm_u16x8_shr(r0, 4);
                    r1 = wasm_u16x8_shr(r1, 4);
                }
                r0 = wasm_v128_and(r0, m4);
                r1 = wasm_v128_and(r1, m4);
                if (qh0) {
                    // Bit 0 (now bit 2j + h of the qh byte) to bit 4.
                    r0 = wasm_v128_or(r0, wasm_v128_and(wasm_i16x8_shl(e[k], 4), m10));
                    r1 = wasm_v128_or(r1, wasm_v128_and(wasm_i16x8_shl(e[2 + k], 4), m10));
                }
                starling_mac2x2(t, wasm_u16x8_extend_low_u8x16(r0), wasm_u16x8_extend_high_u8x16(r0), wasm_u16x8_extend_low_u8x16(r1),
                                wasm_u16x8_extend_high_u8x16(r1), y0->qs + 64 * j + 32 * h + 16 * k, y1->qs + 64 * j + 32 * h + 16 * k);
            }
            if (qh0) {
                for (int q = 0; q < 4; ++q) e[q] = wasm_u16x8_shr(e[q], 1);
            }
            // One scale per 32 weights: cheaper applied to the sums than to the weights.
            const v128_t g0 = wasm_i32x4_splat(sc0[2 * j + h]);
            const v128_t g1 = wasm_i32x4_splat(sc1[2 * j + h]);
            a[0] = wasm_i32x4_add(a[0], wasm_i32x4_mul(t[0], g0));
            a[1] = wasm_i32x4_add(a[1], wasm_i32x4_mul(t[1], g1));
            a[2] = wasm_i32x4_add(a[2], wasm_i32x4_mul(t[2], g0));
            a[3] = wasm_i32x4_add(a[3], wasm_i32x4_mul(t[3], g1));
        }
    }
    // dm: row 0's d and dmin, row 1's.
    r[0] += (y0->d * dm[0]) * (float) starling_hsum_i32x4(a[0]) - (y0->d * dm[1]) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b0, min0));
    r[1] += (y0->d * dm[2]) * (float) starling_hsum_i32x4(a[1]) - (y0->d * dm[3]) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b0, min1));
    r[2] += (y1->d * dm[0]) * (float) starling_hsum_i32x4(a[2]) - (y1->d * dm[1]) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b1, min0));
    r[3] += (y1->d * dm[2]) * (float) starling_hsum_i32x4(a[3]) - (y1->d * dm[3]) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b1, min1));
}

static void starling_vec_dot_q4_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q4_K * x0 = vx, * x1 = starling_next(vx, bx);
    const block_q8_K * y0 = vy, * y1 = starling_next(vy, by);
    float r[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < n / QK_K; ++i) {
        const float dm[4] = { GGML_CPU_FP16_TO_FP32(x0[i].d), GGML_CPU_FP16_TO_FP32(x0[i].dmin), GGML_CPU_FP16_TO_FP32(x1[i].d), GGML_CPU_FP16_TO_FP32(x1[i].dmin) };
        starling_q45_K_block_2x2(x0[i].scales, x1[i].scales, x0[i].qs, x1[i].qs, NULL, NULL, dm, &y0[i], &y1[i], r);
    }
    starling_store2x2(s, bs, r);
}

// Q5_K, two rows by two columns, for the prompt: Q4_K's kernel with the fifth bit. In Chromium's
// calibration at 2 threads Q5_K's prompt rate went from about 14 to 22 billion weights a second.
static void starling_vec_dot_q5_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q5_K * x0 = vx, * x1 = starling_next(vx, bx);
    const block_q8_K * y0 = vy, * y1 = starling_next(vy, by);
    float r[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < n / QK_K; ++i) {
        const float dm[4] = { GGML_CPU_FP16_TO_FP32(x0[i].d), GGML_CPU_FP16_TO_FP32(x0[i].dmin), GGML_CPU_FP16_TO_FP32(x1[i].d), GGML_CPU_FP16_TO_FP32(x1[i].dmin) };
        starling_q45_K_block_2x2(x0[i].scales, x1[i].scales, x0[i].qs, x1[i].qs, x0[i].qh, x1[i].qh, dm, &y0[i], &y1[i], r);
    }
    starling_store2x2(s, bs, r);
}

// Q6_K, two rows by two columns, for the prompt: as starling_vec_dot_q4_K_q8_K_2x2, each 16 weights
// unpacked (as starling_vec_dot_q6_K_q8_K does) and widened once for two columns.
// (The scale multiplies the sums here, in 32-bit lanes: weights scaled in 16-bit lanes, as Q3_K's are,
// and starling_mac2x2's order measured a little slower in V8.)
static void starling_vec_dot_q6_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q6_K * x0 = vx, * x1 = starling_next(vx, bx);
    const block_q8_K * y0 = vy, * y1 = starling_next(vy, by);
    float r[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < n / QK_K; ++i) {
        const uint8_t * ql0 = x0[i].ql;
        const uint8_t * ql1 = x1[i].ql;
        const uint8_t * qh0 = x0[i].qh;
        const uint8_t * qh1 = x1[i].qh;
        const int8_t * sc0 = x0[i].scales;
        const int8_t * sc1 = x1[i].scales;
        const int8_t * p0 = y0[i].qs;
        const int8_t * p1 = y1[i].qs;
        v128_t a00 = wasm_i32x4_splat(0), a10 = a00, a01 = a00, a11 = a00;
        for (int half = 0; half < 2; ++half) {
            for (int l = 0; l < 32; l += 16) {
                v128_t w[2][4];
                starling_q6_K_unpack(ql0, qh0, l, w[0]);
                starling_q6_K_unpack(ql1, qh1, l, w[1]);
                const int k = l / 16;
                for (int g = 0; g < 4; ++g) {
                    const v128_t w0l = wasm_i16x8_extend_low_i8x16(w[0][g]), w0h = wasm_i16x8_extend_high_i8x16(w[0][g]);
                    const v128_t w1l = wasm_i16x8_extend_low_i8x16(w[1][g]), w1h = wasm_i16x8_extend_high_i8x16(w[1][g]);
                    const v128_t c0 = wasm_v128_load(p0 + 32 * g + l);
                    const v128_t c1 = wasm_v128_load(p1 + 32 * g + l);
                    const v128_t c0l = wasm_i16x8_extend_low_i8x16(c0), c0h = wasm_i16x8_extend_high_i8x16(c0);
                    const v128_t c1l = wasm_i16x8_extend_low_i8x16(c1), c1h = wasm_i16x8_extend_high_i8x16(c1);
                    const v128_t g0 = wasm_i32x4_splat(sc0[2 * g + k]);
                    const v128_t g1 = wasm_i32x4_splat(sc1[2 * g + k]);
                    a00 = wasm_i32x4_add(a00, wasm_i32x4_mul(wasm_i32x4_add(wasm_i32x4_dot_i16x8(w0l, c0l), wasm_i32x4_dot_i16x8(w0h, c0h)), g0));
                    a10 = wasm_i32x4_add(a10, wasm_i32x4_mul(wasm_i32x4_add(wasm_i32x4_dot_i16x8(w1l, c0l), wasm_i32x4_dot_i16x8(w1h, c0h)), g1));
                    a01 = wasm_i32x4_add(a01, wasm_i32x4_mul(wasm_i32x4_add(wasm_i32x4_dot_i16x8(w0l, c1l), wasm_i32x4_dot_i16x8(w0h, c1h)), g0));
                    a11 = wasm_i32x4_add(a11, wasm_i32x4_mul(wasm_i32x4_add(wasm_i32x4_dot_i16x8(w1l, c1l), wasm_i32x4_dot_i16x8(w1h, c1h)), g1));
                }
            }
            ql0 += 64;
            ql1 += 64;
            qh0 += 32;
            qh1 += 32;
            sc0 += 8;
            sc1 += 8;
            p0 += 128;
            p1 += 128;
        }
        const float d0 = GGML_CPU_FP16_TO_FP32(x0[i].d), d1 = GGML_CPU_FP16_TO_FP32(x1[i].d);
        r[0] += (d0 * y0[i].d) * (float) starling_hsum_i32x4(a00);
        r[1] += (d1 * y0[i].d) * (float) starling_hsum_i32x4(a10);
        r[2] += (d0 * y1[i].d) * (float) starling_hsum_i32x4(a01);
        r[3] += (d1 * y1[i].d) * (float) starling_hsum_i32x4(a11);
    }
    starling_store2x2(s, bs, r);
}

// Q3_K: per 128 weights, 32 bytes of 2-bit pairs (qs: weight l + 32k, l < 32, takes byte l's bits 2k,
// 2k + 1); for the whole block, 32 bytes of high bits (hmask: weight l + 32k', k' < 8, takes byte l's
// bit k'). A weight is its pair, less 4 where its high bit is clear. Sixteen 6-bit scales, less 32, one
// per 16 weights, packed as ggml packs them: scale j's low nibble in byte j % 8 (the high nibble from
// j = 8 on), its top two bits in byte 8 + j % 4 at bit 2 * (j / 4).
static inline __attribute__((always_inline)) void starling_q3_K_scales(const uint8_t * packed, int8_t out[16]) {
    const uint32_t kmask1 = 0x03030303;
    const uint32_t kmask2 = 0x0f0f0f0f;
    uint32_t aux[4];
    memcpy(aux, packed, 12);
    const uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    wasm_v128_store(out, wasm_i8x16_sub(wasm_v128_load(aux), wasm_i8x16_splat(32)));
}

// 16 Q3_K weights: the pairs at bits `shift`, `shift + 1` of q's bytes, less 4 where h & bit is clear.
// A 16-bit shift (x86 has no 8-bit one) moves bits across a lane's bytes, but only above bit 7 - shift.
static inline __attribute__((always_inline)) v128_t starling_q3_K_16(v128_t q, v128_t h, int shift, v128_t bit) {
    const v128_t pair = wasm_v128_and(wasm_u16x8_shr(q, shift), wasm_i8x16_splat(3));
    const v128_t clear = wasm_i8x16_eq(wasm_v128_and(h, bit), wasm_i8x16_splat(0));
    return wasm_i8x16_sub(pair, wasm_v128_and(clear, wasm_i8x16_splat(4)));
}

// Q3_K, two rows by two columns, for the prompt. ggml's wasm kernel writes each block's weights to a
// stack array and multiplies them in 16-bit lanes, row by column; here each 16 weights are unpacked,
// scaled (|w * scale| <= 128) and widened once, in registers, for two columns. In Chromium's
// calibration at 2 threads Q3_K's prompt rate went from about 12.5 to 24.5 billion weights a second.
static void starling_vec_dot_q3_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q3_K * x0 = vx, * x1 = starling_next(vx, bx);
    const block_q8_K * y0 = vy, * y1 = starling_next(vy, by);
    float r[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < n / QK_K; ++i) {
        int8_t sc0[16], sc1[16];
        starling_q3_K_scales(x0[i].scales, sc0);
        starling_q3_K_scales(x1[i].scales, sc1);
        v128_t a[4] = { wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0) };
        for (int l = 0; l < 32; l += 16) {
            const v128_t h0 = wasm_v128_load(x0[i].hmask + l), h1 = wasm_v128_load(x1[i].hmask + l);
            // Unrolled, so that each shift and bit is a constant (a variable one costs V8 far more).
#pragma clang loop unroll(full)
            for (int half = 0; half < 2; ++half) {
                const v128_t q0 = wasm_v128_load(x0[i].qs + 32 * half + l), q1 = wasm_v128_load(x1[i].qs + 32 * half + l);
#pragma clang loop unroll(full)
                for (int k = 0; k < 4; ++k) {
                    const v128_t bit = wasm_i8x16_splat(1 << (4 * half + k));
                    const int g = 8 * half + 2 * k + l / 16;
                    const int at = 128 * half + 32 * k + l;
                    v128_t w0l, w0h, w1l, w1h;
                    starling_widen_scaled(starling_q3_K_16(q0, h0, 2 * k, bit), sc0[g], &w0l, &w0h);
                    starling_widen_scaled(starling_q3_K_16(q1, h1, 2 * k, bit), sc1[g], &w1l, &w1h);
                    starling_mac2x2(a, w0l, w0h, w1l, w1h, y0[i].qs + at, y1[i].qs + at);
                }
            }
        }
        const float d0 = GGML_CPU_FP16_TO_FP32(x0[i].d), d1 = GGML_CPU_FP16_TO_FP32(x1[i].d);
        r[0] += (d0 * y0[i].d) * (float) starling_hsum_i32x4(a[0]);
        r[1] += (d1 * y0[i].d) * (float) starling_hsum_i32x4(a[1]);
        r[2] += (d0 * y1[i].d) * (float) starling_hsum_i32x4(a[2]);
        r[3] += (d1 * y1[i].d) * (float) starling_hsum_i32x4(a[3]);
    }
    starling_store2x2(s, bs, r);
}

// Q2_K: per 128 weights, 32 bytes of 2-bit weights (qs: weight l + 32j, l < 32, takes byte l's bits 2j,
// 2j + 1), unsigned; one byte per 16 weights holds their 4-bit scale (low nibble) and 4-bit min (high).
// A block is d * sum(scale * w . q) - dmin * sum(min * bsum), bsum being the 16 activations' sum (Q8_K
// keeps it), as ggml sums it.
// Two rows by two columns, for the prompt: ggml's wasm kernel shifts by a variable (slow in V8) and
// widens every weight and activation for each row and column pair; here each 16 weights are unpacked
// with constant shifts, scaled (w * scale <= 45) and widened once, for two columns.
static void starling_vec_dot_q2_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q2_K * x0 = vx, * x1 = starling_next(vx, bx);
    const block_q8_K * y0 = vy, * y1 = starling_next(vy, by);
    const v128_t nibble = wasm_i8x16_splat(0xF), two_bits = wasm_i8x16_splat(3);
    float r[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < n / QK_K; ++i) {
        const v128_t packed0 = wasm_v128_load(x0[i].scales), packed1 = wasm_v128_load(x1[i].scales);
        uint8_t sc0[16], sc1[16];
        wasm_v128_store(sc0, wasm_v128_and(packed0, nibble));
        wasm_v128_store(sc1, wasm_v128_and(packed1, nibble));
        // The mins against each column's group sums.
        const v128_t m0 = wasm_u8x16_shr(packed0, 4), m1 = wasm_u8x16_shr(packed1, 4);
        const v128_t m0l = wasm_u16x8_extend_low_u8x16(m0), m0h = wasm_u16x8_extend_high_u8x16(m0);
        const v128_t m1l = wasm_u16x8_extend_low_u8x16(m1), m1h = wasm_u16x8_extend_high_u8x16(m1);
        const v128_t b0l = wasm_v128_load(y0[i].bsums), b0h = wasm_v128_load(y0[i].bsums + 8);
        const v128_t b1l = wasm_v128_load(y1[i].bsums), b1h = wasm_v128_load(y1[i].bsums + 8);
        const int32_t mins[4] = {
            starling_hsum_i32x4(wasm_i32x4_add(wasm_i32x4_dot_i16x8(m0l, b0l), wasm_i32x4_dot_i16x8(m0h, b0h))),
            starling_hsum_i32x4(wasm_i32x4_add(wasm_i32x4_dot_i16x8(m1l, b0l), wasm_i32x4_dot_i16x8(m1h, b0h))),
            starling_hsum_i32x4(wasm_i32x4_add(wasm_i32x4_dot_i16x8(m0l, b1l), wasm_i32x4_dot_i16x8(m0h, b1h))),
            starling_hsum_i32x4(wasm_i32x4_add(wasm_i32x4_dot_i16x8(m1l, b1l), wasm_i32x4_dot_i16x8(m1h, b1h))),
        };
        v128_t a[4] = { wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0) };
        for (int half = 0; half < 2; ++half) {
            for (int l = 0; l < 32; l += 16) {
                const v128_t q0 = wasm_v128_load(x0[i].qs + 32 * half + l), q1 = wasm_v128_load(x1[i].qs + 32 * half + l);
                // Unrolled, so that each shift is a constant; a 16-bit shift, as Q3_K's (x86 has no 8-bit one).
#pragma clang loop unroll(full)
                for (int j = 0; j < 4; ++j) {
                    const int g = 8 * half + 2 * j + l / 16;
                    const int at = 128 * half + 32 * j + l;
                    v128_t w0l, w0h, w1l, w1h;
                    starling_widen_scaled(wasm_v128_and(wasm_u16x8_shr(q0, 2 * j), two_bits), sc0[g], &w0l, &w0h);
                    starling_widen_scaled(wasm_v128_and(wasm_u16x8_shr(q1, 2 * j), two_bits), sc1[g], &w1l, &w1h);
                    starling_mac2x2(a, w0l, w0h, w1l, w1h, y0[i].qs + at, y1[i].qs + at);
                }
            }
        }
        const float d0 = GGML_CPU_FP16_TO_FP32(x0[i].d), d1 = GGML_CPU_FP16_TO_FP32(x1[i].d);
        const float n0 = GGML_CPU_FP16_TO_FP32(x0[i].dmin), n1 = GGML_CPU_FP16_TO_FP32(x1[i].dmin);
        r[0] += (y0[i].d * d0) * (float) starling_hsum_i32x4(a[0]) - (y0[i].d * n0) * (float) mins[0];
        r[1] += (y0[i].d * d1) * (float) starling_hsum_i32x4(a[1]) - (y0[i].d * n1) * (float) mins[1];
        r[2] += (y1[i].d * d0) * (float) starling_hsum_i32x4(a[2]) - (y1[i].d * n0) * (float) mins[2];
        r[3] += (y1[i].d * d1) * (float) starling_hsum_i32x4(a[3]) - (y1[i].d * n1) * (float) mins[3];
    }
    starling_store2x2(s, bs, r);
}
