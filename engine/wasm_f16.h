// Starling Playground: F16 <-> F32 conversion of four values at a time with wasm SIMD128.
//
// llama.cpp's wasm build converts each half through a scalar table lookup (load) or a scalar bit
// routine (store), four at a time through a stack array. The KV cache is F16 and flash attention's
// CPU kernel loads and stores it once per cached position, so in wasm attention ran at a fraction of
// the speed of the weights' matrix products and prompt speed fell as the conversation grew.
//
// These are ggml's own conversions (ggml_compute_fp16_to_fp32 and ggml_compute_fp32_to_fp16 in
// ggml-impl.h, from the FP16 library), written lane-wise: the results are bit for bit the same.
// tools/engine-source.ts puts this text into ggml-cpu/simd-mappings.h in place of the scalar pair;
// tests/unit/wasm-f16.test.ts checks it against those functions for every half and many floats.

inline static v128_t __wasm_f16x4_load(const ggml_fp16_t * p) {
    const v128_t w = wasm_i32x4_shl(wasm_u32x4_load16x4(p), 16);
    const v128_t sign = wasm_v128_and(w, wasm_i32x4_splat((int32_t) 0x80000000u));
    const v128_t two_w = wasm_i32x4_add(w, w);
    // Normal halves (and Inf/NaN): rebias the exponent, then scale by 2^-112.
    const v128_t normalized = wasm_f32x4_mul(
        wasm_i32x4_add(wasm_u32x4_shr(two_w, 4), wasm_i32x4_splat(0xE0 << 23)),
        wasm_f32x4_splat(0x1.0p-112f));
    // Subnormal halves: the mantissa as the low bits of a float in [0.5, 1), minus 0.5.
    const v128_t denormalized = wasm_f32x4_sub(
        wasm_v128_or(wasm_u32x4_shr(two_w, 17), wasm_i32x4_splat(126 << 23)),
        wasm_f32x4_splat(0.5f));
    const v128_t is_denormal = wasm_u32x4_lt(two_w, wasm_i32x4_splat(1 << 27));
    return wasm_v128_or(sign, wasm_v128_bitselect(denormalized, normalized, is_denormal));
}

inline static void __wasm_f16x4_store(ggml_fp16_t * p, v128_t x) {
    // Rounds to nearest even through a float addition, as ggml_compute_fp32_to_fp16 does.
    const v128_t base0 = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_abs(x), wasm_f32x4_splat(0x1.0p+112f)), wasm_f32x4_splat(0x1.0p-110f));
    const v128_t shl1_w = wasm_i32x4_add(x, x);
    const v128_t sign = wasm_v128_and(x, wasm_i32x4_splat((int32_t) 0x80000000u));
    const v128_t bias = wasm_u32x4_max(wasm_v128_and(shl1_w, wasm_i32x4_splat((int32_t) 0xFF000000u)), wasm_i32x4_splat(0x71000000));
    const v128_t base = wasm_f32x4_add(wasm_i32x4_add(wasm_u32x4_shr(bias, 1), wasm_i32x4_splat(0x07800000)), base0);
    const v128_t exp_bits = wasm_v128_and(wasm_u32x4_shr(base, 13), wasm_i32x4_splat(0x00007C00));
    const v128_t mantissa_bits = wasm_v128_and(base, wasm_i32x4_splat(0x00000FFF));
    const v128_t nonsign = wasm_i32x4_add(exp_bits, mantissa_bits);
    const v128_t is_nan = wasm_u32x4_gt(shl1_w, wasm_i32x4_splat((int32_t) 0xFF000000u));
    const v128_t h = wasm_v128_or(wasm_u32x4_shr(sign, 16), wasm_v128_bitselect(wasm_i32x4_splat(0x7E00), nonsign, is_nan));
    // Each lane is at most 0xFFFF, so the saturating narrow keeps it as it is.
    wasm_v128_store64_lane(p, wasm_u16x8_narrow_i32x4(h, h), 0);
}
