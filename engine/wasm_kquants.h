// Starling Playground: the dot product of Q6_K weights with Q8_K activations, and Q4_K's and Q6_K's
// two rows by two columns (the prompt), in wasm SIMD128.
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

// 16 products of signed bytes, added into four 32-bit lanes.
static inline v128_t starling_dot16(v128_t w, v128_t q) {
    return wasm_i32x4_add(
        wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(w), wasm_i16x8_extend_low_i8x16(q)),
        wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(w), wasm_i16x8_extend_high_i8x16(q)));
}

static inline int32_t starling_hsum_i32x4(v128_t v) {
    v = wasm_i32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_i32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_i32x4_extract_lane(v, 0);
}

// acc + dot(w, q) * scale
static inline v128_t starling_scaled_dot16(v128_t acc, v128_t w, const int8_t * q, int scale) {
    return wasm_i32x4_add(acc, wasm_i32x4_mul(starling_dot16(w, wasm_v128_load(q)), wasm_i32x4_splat(scale)));
}

// Q6_K: per 128 weights, 64 bytes of low nibbles (ql) and 32 of high bit pairs (qh); weight
// l + 32*k (l < 32) takes ql[l + 32*(k&1)]'s low (k < 2) or high nibble and qh[l]'s bits 2k, 2k+1,
// minus 32. One signed 8-bit scale per 16 weights.
static void starling_vec_dot_q6_K_q8_K(int n, float * s, const void * vx, const void * vy) {
    const block_q6_K * x = (const block_q6_K *) vx;
    const block_q8_K * y = (const block_q8_K *) vy;
    const int nb = n / QK_K;
    const v128_t m4 = wasm_i8x16_splat(0x0F);
    const v128_t m30 = wasm_i8x16_splat(0x30);
    const v128_t c32 = wasm_i8x16_splat(32);
    float sumf = 0;
    for (int i = 0; i < nb; ++i) {
        const uint8_t * ql = x[i].ql;
        const uint8_t * qh = x[i].qh;
        const int8_t * q8 = y[i].qs;
        const int8_t * sc = x[i].scales;
        v128_t acc = wasm_i32x4_splat(0);
        for (int half = 0; half < 2; ++half) {
            for (int l = 0; l < 32; l += 16) {
                const v128_t a = wasm_v128_load(ql + l);
                const v128_t b = wasm_v128_load(ql + 32 + l);
                const v128_t h = wasm_v128_load(qh + l);
                // 16-bit shifts move bits between a lane's two bytes; the masks keep each byte's own.
                const v128_t w0 = wasm_v128_or(wasm_v128_and(a, m4), wasm_v128_and(wasm_i16x8_shl(h, 4), m30));
                const v128_t w1 = wasm_v128_or(wasm_v128_and(b, m4), wasm_v128_and(wasm_i16x8_shl(h, 2), m30));
                const v128_t w2 = wasm_v128_or(wasm_v128_and(wasm_u16x8_shr(a, 4), m4), wasm_v128_and(h, m30));
                const v128_t w3 = wasm_v128_or(wasm_v128_and(wasm_u16x8_shr(b, 4), m4), wasm_v128_and(wasm_u16x8_shr(h, 2), m30));
                const int k = l / 16;
                acc = starling_scaled_dot16(acc, wasm_i8x16_sub(w0, c32), q8 + l, sc[k]);
                acc = starling_scaled_dot16(acc, wasm_i8x16_sub(w1, c32), q8 + 32 + l, sc[2 + k]);
                acc = starling_scaled_dot16(acc, wasm_i8x16_sub(w2, c32), q8 + 64 + l, sc[4 + k]);
                acc = starling_scaled_dot16(acc, wasm_i8x16_sub(w3, c32), q8 + 96 + l, sc[6 + k]);
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

// Q4_K, two rows by two columns (ggml's nrc == 2 layout: rows vx and vx + bx, columns vy and vy + by;
// s[0] = row 0 . column 0, s[1] = row 1 . column 0, s[bs] and s[bs + 1] the same for column 1).
// A prompt's matrix products are rows times many columns: each 16 weights, unpacked and widened once,
// serve two columns, and each 16 activations, widened once, two rows. ggml's wasm Q4_K kernel does
// that work for every row and column pair. In Chromium's calibration Q4_K's prompt rate went from 16.0
// to 24.2 billion weights a second at 2 threads, and the 134M Q4_K model's prompt from ~136 to ~211 tok/s.
// Products are summed as the one-row kernel sums them: integers exact, d * sum - dmin * mins per block.
static void starling_vec_dot_q4_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q4_K * x0 = (const block_q4_K *) vx;
    const block_q4_K * x1 = (const block_q4_K *) ((const char *) vx + bx);
    const block_q8_K * y0 = (const block_q8_K *) vy;
    const block_q8_K * y1 = (const block_q8_K *) ((const char *) vy + by);
    const int nb = n / QK_K;
    const uint32_t kmask1 = 0x3f3f3f3f;
    const uint32_t kmask2 = 0x0f0f0f0f;
    const uint32_t kmask3 = 0x03030303;
    const v128_t m4 = wasm_i8x16_splat(0x0F);
    float s00 = 0, s10 = 0, s01 = 0, s11 = 0;
    for (int i = 0; i < nb; ++i) {
        // Each row's eight 6-bit scales and mins (ggml's packing), as the one-row kernel unpacks them.
        uint32_t u0[4], u1[4];
        memcpy(u0, x0[i].scales, 12);
        memcpy(u1, x1[i].scales, 12);
        for (int r = 0; r < 2; ++r) {
            uint32_t * u = r ? u1 : u0;
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
            wasm_i16x8_shuffle(wasm_v128_load(y0[i].bsums), wasm_v128_load(y0[i].bsums + 8), 0, 2, 4, 6, 8, 10, 12, 14),
            wasm_i16x8_shuffle(wasm_v128_load(y0[i].bsums), wasm_v128_load(y0[i].bsums + 8), 1, 3, 5, 7, 9, 11, 13, 15));
        const v128_t b1 = wasm_i16x8_add(
            wasm_i16x8_shuffle(wasm_v128_load(y1[i].bsums), wasm_v128_load(y1[i].bsums + 8), 0, 2, 4, 6, 8, 10, 12, 14),
            wasm_i16x8_shuffle(wasm_v128_load(y1[i].bsums), wasm_v128_load(y1[i].bsums + 8), 1, 3, 5, 7, 9, 11, 13, 15));

        const uint8_t * q0 = x0[i].qs;
        const uint8_t * q1 = x1[i].qs;
        const int8_t * p0 = y0[i].qs;
        const int8_t * p1 = y1[i].qs;
        v128_t a00 = wasm_i32x4_splat(0), a10 = a00, a01 = a00, a11 = a00;
        for (int j = 0; j < QK_K / 64; ++j) {
            // 64 weights: the low nibbles of 32 bytes are the first 32 (scale 2j), the high ones the next (2j + 1).
            for (int h = 0; h < 2; ++h) {
                v128_t t00 = wasm_i32x4_splat(0), t10 = t00, t01 = t00, t11 = t00;
                for (int k = 0; k < 2; ++k) {
                    v128_t r0 = wasm_v128_load(q0 + 16 * k);
                    v128_t r1 = wasm_v128_load(q1 + 16 * k);
                    if (h) {
                        r0 = wasm_u16x8_shr(r0, 4);
                        r1 = wasm_u16x8_shr(r1, 4);
                    }
                    r0 = wasm_v128_and(r0, m4);
                    r1 = wasm_v128_and(r1, m4);
                    const v128_t w0l = wasm_u16x8_extend_low_u8x16(r0), w0h = wasm_u16x8_extend_high_u8x16(r0);
                    const v128_t w1l = wasm_u16x8_extend_low_u8x16(r1), w1h = wasm_u16x8_extend_high_u8x16(r1);
                    const v128_t c0 = wasm_v128_load(p0 + 32 * h + 16 * k);
                    const v128_t c1 = wasm_v128_load(p1 + 32 * h + 16 * k);
                    const v128_t c0l = wasm_i16x8_extend_low_i8x16(c0), c0h = wasm_i16x8_extend_high_i8x16(c0);
                    const v128_t c1l = wasm_i16x8_extend_low_i8x16(c1), c1h = wasm_i16x8_extend_high_i8x16(c1);
                    t00 = wasm_i32x4_add(t00, wasm_i32x4_add(wasm_i32x4_dot_i16x8(w0l, c0l), wasm_i32x4_dot_i16x8(w0h, c0h)));
                    t10 = wasm_i32x4_add(t10, wasm_i32x4_add(wasm_i32x4_dot_i16x8(w1l, c0l), wasm_i32x4_dot_i16x8(w1h, c0h)));
                    t01 = wasm_i32x4_add(t01, wasm_i32x4_add(wasm_i32x4_dot_i16x8(w0l, c1l), wasm_i32x4_dot_i16x8(w0h, c1h)));
                    t11 = wasm_i32x4_add(t11, wasm_i32x4_add(wasm_i32x4_dot_i16x8(w1l, c1l), wasm_i32x4_dot_i16x8(w1h, c1h)));
                }
                const v128_t g0 = wasm_i32x4_splat(sc0[2 * j + h]);
                const v128_t g1 = wasm_i32x4_splat(sc1[2 * j + h]);
                a00 = wasm_i32x4_add(a00, wasm_i32x4_mul(t00, g0));
                a10 = wasm_i32x4_add(a10, wasm_i32x4_mul(t10, g1));
                a01 = wasm_i32x4_add(a01, wasm_i32x4_mul(t01, g0));
                a11 = wasm_i32x4_add(a11, wasm_i32x4_mul(t11, g1));
            }
            q0 += 32;
            q1 += 32;
            p0 += 64;
            p1 += 64;
        }
        const float dx0 = GGML_CPU_FP16_TO_FP32(x0[i].d), mx0 = GGML_CPU_FP16_TO_FP32(x0[i].dmin);
        const float dx1 = GGML_CPU_FP16_TO_FP32(x1[i].d), mx1 = GGML_CPU_FP16_TO_FP32(x1[i].dmin);
        s00 += (y0[i].d * dx0) * (float) starling_hsum_i32x4(a00) - (y0[i].d * mx0) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b0, min0));
        s10 += (y0[i].d * dx1) * (float) starling_hsum_i32x4(a10) - (y0[i].d * mx1) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b0, min1));
        s01 += (y1[i].d * dx0) * (float) starling_hsum_i32x4(a01) - (y1[i].d * mx0) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b1, min0));
        s11 += (y1[i].d * dx1) * (float) starling_hsum_i32x4(a11) - (y1[i].d * mx1) * (float) starling_hsum_i32x4(wasm_i32x4_dot_i16x8(b1, min1));
    }
    s[0] = s00;
    s[1] = s10;
    s[bs] = s01;
    s[bs + 1] = s11;
}

// Q6_K, two rows by two columns, for the prompt: as starling_vec_dot_q4_K_q8_K_2x2, each 16 weights
// unpacked (as starling_vec_dot_q6_K_q8_K does) and widened once for two columns.
static void starling_vec_dot_q6_K_q8_K_2x2(int n, float * s, size_t bs, const void * vx, size_t bx, const void * vy, size_t by) {
    const block_q6_K * x0 = (const block_q6_K *) vx;
    const block_q6_K * x1 = (const block_q6_K *) ((const char *) vx + bx);
    const block_q8_K * y0 = (const block_q8_K *) vy;
    const block_q8_K * y1 = (const block_q8_K *) ((const char *) vy + by);
    const int nb = n / QK_K;
    const v128_t m4 = wasm_i8x16_splat(0x0F);
    const v128_t m30 = wasm_i8x16_splat(0x30);
    const v128_t c32 = wasm_i8x16_splat(32);
    float s00 = 0, s10 = 0, s01 = 0, s11 = 0;
    for (int i = 0; i < nb; ++i) {
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
                for (int r = 0; r < 2; ++r) {
                    const uint8_t * ql = r ? ql1 : ql0;
                    const uint8_t * qh = r ? qh1 : qh0;
                    const v128_t a = wasm_v128_load(ql + l);
                    const v128_t b = wasm_v128_load(ql + 32 + l);
                    const v128_t h = wasm_v128_load(qh + l);
                    w[r][0] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(a, m4), wasm_v128_and(wasm_i16x8_shl(h, 4), m30)), c32);
                    w[r][1] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(b, m4), wasm_v128_and(wasm_i16x8_shl(h, 2), m30)), c32);
                    w[r][2] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(wasm_u16x8_shr(a, 4), m4), wasm_v128_and(h, m30)), c32);
                    w[r][3] = wasm_i8x16_sub(wasm_v128_or(wasm_v128_and(wasm_u16x8_shr(b, 4), m4), wasm_v128_and(wasm_u16x8_shr(h, 2), m30)), c32);
                }
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
        s00 += (d0 * y0[i].d) * (float) starling_hsum_i32x4(a00);
        s10 += (d1 * y0[i].d) * (float) starling_hsum_i32x4(a10);
        s01 += (d0 * y1[i].d) * (float) starling_hsum_i32x4(a01);
        s11 += (d1 * y1[i].d) * (float) starling_hsum_i32x4(a11);
    }
    s[0] = s00;
    s[1] = s10;
    s[bs] = s01;
    s[bs + 1] = s11;
}
