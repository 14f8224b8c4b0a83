// Starling Playground: the dot product of Q6_K weights with Q8_K activations, wasm SIMD128.
//
// On the own engine's CPU path every matrix product of a K-quant model runs through ggml's vec_dot
// functions, for generation and for the prompt alike, and in wasm they are bound by arithmetic, not by
// memory. Q6_K is the output matrix and half the FFN-down and V matrices of a Q4_K_M or Q5_K_M file.
// ggml's wasm Q6_K unpacks its 6-bit weights one byte at a time through a stack array and multiplies
// in 32-bit lanes; here each group of 16 weights is unpacked in registers, multiplied and added in
// pairs (i32x4.dot_i16x8_s), scaled once in 32-bit lanes, and the lanes are added up once per block of
// 256. In Chromium's calibration this took Q6_K from 5.6 to 6.8 billion weights a second at 1 thread.
// The same treatment of Q3_K and Q4_K, whose ggml kernels already unpack in registers, was 19% and
// 8% faster in Node's V8 but no faster in Chromium's, so those stay ggml's.
//
// The integer sums are exact, as ggml's are; each block's float scaling is ggml's (d * sum); only the
// order in which the blocks' floats are added can differ, as it does between ggml's own kernels.
// tools/engine-source.ts makes ggml's wasm function call this one; tests/unit/wasm-kquants.c checks
// it against plain double-precision dequantization.

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
