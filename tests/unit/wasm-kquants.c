// Checks engine/wasm_kquants.h, built for wasm SIMD128 and run in Node (tests/unit/wasm-kernels.test.ts),
// against plain double-precision dequantization written from the format's definition (ggml-common.h's
// block layout). Prints one line: the worst error, relative to the sum of the products' magnitudes;
// and, with an argument, the kernel's speed in billions of weights a second.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasm_simd128.h>

#define QK_K 256
typedef uint16_t ggml_half;

// ggml-common.h's blocks.
typedef struct { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[QK_K / 2]; } block_q4_K;
typedef struct { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; ggml_half d; } block_q6_K;
typedef struct { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; } block_q5_K;
typedef struct { uint8_t hmask[QK_K / 8]; uint8_t qs[QK_K / 4]; uint8_t scales[12]; ggml_half d; } block_q3_K;
typedef struct { uint8_t scales[QK_K / 16]; uint8_t qs[QK_K / 4]; ggml_half d; ggml_half dmin; } block_q2_K;
typedef struct { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; } block_q8_K;

// The exact value of a half (IEEE binary16).
static float half_value(ggml_half h) {
  const int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 0 ? ldexp(m, -24) : ldexp(1024 + m, e - 25);
  return (float) (sign ? -v : v);
}
#define GGML_CPU_FP16_TO_FP32(x) half_value(x)

#include "../../engine/wasm_kquants.h"

static uint32_t seed = 777;
static uint32_t next_u32(void) { seed = seed * 1664525u + 1013904223u; return seed >> 8; }
static uint8_t next_byte(void) { return (uint8_t) next_u32(); }
// A positive half between 2^-10 and 2^-4 (a real block's scale), or an extreme one now and then.
static ggml_half next_scale(int extreme) { return (ggml_half) (extreme ? 0x7BFF - (next_u32() & 0xFF) : 0x1400 + (next_u32() % 0x1800)); }

static void fill_q8(block_q8_K * y, int nb, int extreme) {
  for (int i = 0; i < nb; ++i) {
    y[i].d = extreme ? 1e-3f : (float) ((next_u32() % 1000) + 1) * 1e-4f;
    for (int j = 0; j < QK_K; ++j) y[i].qs[j] = extreme ? (j % 2 ? 127 : -128) : (int8_t) (next_byte() % 255 - 127);
    for (int g = 0; g < QK_K / 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j) sum += y[i].qs[16 * g + j];
      y[i].bsums[g] = (int16_t) sum;
    }
  }
}

// Weight idx of a block, dequantized.
static double q6_weight(const block_q6_K * b, int idx) {
  const int half = idx / 128, r = idx % 128, k = r / 32, l = r % 32;
  const uint8_t byte = b->ql[half * 64 + l + 32 * (k & 1)];
  const int lo = k < 2 ? byte & 0xF : byte >> 4;
  const int hi = (b->qh[half * 32 + l] >> (2 * k)) & 3;
  return (double) half_value(b->d) * b->scales[idx / 16] * ((lo | (hi << 4)) - 32);
}
// Q4_K and Q5_K (qh NULL: Q4_K): weight idx's scale and min are the 6-bit pair j = idx / 32; its low
// four bits a nibble of qs[32 * (idx / 64) + idx % 32] (low for the first 32 of each 64), Q5_K's fifth
// bit j of qh[idx % 32].
static double q45_weight(ggml_half d, ggml_half dmin, const uint8_t * s, const uint8_t * qs, const uint8_t * qh, int idx) {
  const int j = idx / 32;
  const int sc = j < 4 ? s[j] & 63 : (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
  const int mn = j < 4 ? s[j + 4] & 63 : (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  const int c = idx / 64, r = idx % 64;
  const uint8_t byte = qs[c * 32 + r % 32];
  const int q = (r < 32 ? byte & 0xF : byte >> 4) + (qh ? 16 * ((qh[idx % 32] >> j) & 1) : 0);
  return (double) half_value(d) * sc * q - (double) half_value(dmin) * mn;
}
static double q4_weight(const block_q4_K * b, int idx) { return q45_weight(b->d, b->dmin, b->scales, b->qs, NULL, idx); }
static double q5_weight(const block_q5_K * b, int idx) { return q45_weight(b->d, b->dmin, b->scales, b->qs, b->qh, idx); }

// Q3_K, from the format: scale j's low nibble in byte j % 8 (high nibble from j = 8), its top two bits
// in byte 8 + j % 4 at bit 2 * (j / 4), less 32; weight idx's pair in qs[32 * (idx / 128) + idx % 32]
// at bit 2 * (idx % 128 / 32), less 4 unless hmask[idx % 32] has bit idx / 32.
static double q3_weight(const block_q3_K * b, int idx) {
  const int j = idx / 16;
  const int lo = j < 8 ? b->scales[j] & 0xF : b->scales[j - 8] >> 4;
  const int hi = (b->scales[8 + j % 4] >> (2 * (j / 4))) & 3;
  const int sc = (lo | (hi << 4)) - 32;
  const int pair = (b->qs[32 * (idx / 128) + idx % 32] >> (2 * (idx % 128 / 32))) & 3;
  const int w = pair - ((b->hmask[idx % 32] >> (idx / 32)) & 1 ? 0 : 4);
  return (double) half_value(b->d) * sc * w;
}

// Q2_K, from the format: weight idx's scale and min are byte idx / 16's low and high nibbles; its value
// the bits 2 * (idx % 128 / 32), + 1 of qs[32 * (idx / 128) + idx % 32]; d * scale * q - dmin * min.
static double q2_weight(const block_q2_K * b, int idx) {
  const int sc = b->scales[idx / 16] & 0xF, m = b->scales[idx / 16] >> 4;
  const int q = (b->qs[32 * (idx / 128) + idx % 32] >> (2 * (idx % 128 / 32))) & 3;
  return (double) half_value(b->d) * sc * q - (double) half_value(b->dmin) * m;
}

typedef void (*kernel_t)(int, float *, const void *, const void *);
typedef double (*weight_t)(const void *, int);
static double w6(const void * b, int i) { return q6_weight((const block_q6_K *) b, i); }

#define MAX_BLOCKS 64
static uint8_t xbuf[MAX_BLOCKS * sizeof(block_q6_K)];
static block_q8_K ybuf[MAX_BLOCKS];

// Random blocks (and blocks of extreme scales and activations), 1 to 64 per row, against the reference.
static double check(kernel_t kernel, weight_t weight, size_t block_bytes) {
  const int lengths[] = { 1, 2, 3, 16, 64 };
  double worst = 0;
  for (int round = 0; round < 200; ++round) {
    const int nb = lengths[round % 5], extreme = round % 10 == 9;
    for (size_t i = 0; i < nb * block_bytes; ++i) xbuf[i] = next_byte();
    // The half scales sit at a format's own offsets: overwrite them with sane (or extreme) values.
    for (int i = 0; i < nb; ++i) {
      uint8_t * b = xbuf + i * block_bytes;
      ggml_half d = next_scale(extreme);
      memcpy(b + block_bytes - 2, &d, 2);
    }
    fill_q8(ybuf, nb, extreme);
    double ref = 0, mag = 0;
    for (int i = 0; i < nb; ++i) {
      for (int j = 0; j < QK_K; ++j) {
        const double t = weight(xbuf + i * block_bytes, j) * ybuf[i].qs[j] * ybuf[i].d;
        ref += t;
        mag += fabs(t);
      }
    }
    float got;
    kernel(nb * QK_K, &got, xbuf, ybuf);
    const double err = fabs(got - ref) / (mag > 0 ? mag : 1);
    if (!(err <= worst)) worst = err;  // NaN counts as the worst
  }
  return worst;
}

typedef void (*kernel2x2_t)(int, float *, size_t, const void *, size_t, const void *, size_t);
static double w4(const void * b, int i) { return q4_weight((const block_q4_K *) b, i); }
static double w3(const void * b, int i) { return q3_weight((const block_q3_K *) b, i); }
static double w5(const void * b, int i) { return q5_weight((const block_q5_K *) b, i); }
static double w2(const void * b, int i) { return q2_weight((const block_q2_K *) b, i); }

// Two rows by two columns: random rows (a gap between them, as a matrix's row stride may have) and
// columns, each of the four results against the reference.
static double check_2x2(kernel2x2_t kernel, weight_t weight, size_t block_bytes) {
  static uint8_t rows[2][(MAX_BLOCKS + 1) * sizeof(block_q6_K)];
  static block_q8_K cols[2][MAX_BLOCKS];
  const int lengths[] = { 1, 2, 3, 16, 64 };
  double worst = 0;
  for (int round = 0; round < 100; ++round) {
    const int nb = lengths[round % 5], extreme = round % 10 == 9;
    for (int r = 0; r < 2; ++r) {
      for (size_t i = 0; i < nb * block_bytes; ++i) rows[r][i] = next_byte();
      for (int i = 0; i < nb; ++i) {
        uint8_t * b = rows[r] + i * block_bytes;
        const ggml_half d = next_scale(extreme), d2 = next_scale(extreme);
        // Q4_K and Q5_K open with d and dmin; Q2_K ends with them; Q3_K and Q6_K end with d.
        if (block_bytes == sizeof(block_q4_K) || block_bytes == sizeof(block_q5_K)) { memcpy(b, &d, 2); memcpy(b + 2, &d2, 2); }
        else if (block_bytes == sizeof(block_q2_K)) { memcpy(b + block_bytes - 4, &d, 2); memcpy(b + block_bytes - 2, &d2, 2); }
        else memcpy(b + block_bytes - 2, &d, 2);
      }
      fill_q8(cols[r], nb, extreme);
    }
    float s[20];
    kernel(nb * QK_K, s, 16, rows[0], sizeof(rows[0]), cols[0], sizeof(cols[0]));
    for (int r = 0; r < 2; ++r) {
      for (int c = 0; c < 2; ++c) {
        double ref = 0, mag = 0;
        for (int i = 0; i < nb; ++i) {
          for (int j = 0; j < QK_K; ++j) {
            const double t = weight(rows[r] + i * block_bytes, j) * cols[c][i].qs[j] * cols[c][i].d;
            ref += t;
            mag += fabs(t);
          }
        }
        const double err = fabs(s[r + 16 * c] - ref) / (mag > 0 ? mag : 1);
        if (!(err <= worst)) worst = err;
      }
    }
  }
  return worst;
}

// Billions of weights a second for one row of 4096 weights (a 7B's width), from the cache.
static double speed(kernel_t kernel, size_t block_bytes) {
  const int nb = 16;
  for (size_t i = 0; i < nb * block_bytes; ++i) xbuf[i] = next_byte();
  for (int i = 0; i < nb; ++i) { ggml_half d = 0x1800; memcpy(xbuf + i * block_bytes + block_bytes - 2, &d, 2); }
  fill_q8(ybuf, nb, 0);
  float sink = 0, out;
  const int reps = 200000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int r = 0; r < reps; ++r) { kernel(nb * QK_K, &out, xbuf, ybuf); sink += out; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  if (sink == 12345.678f) printf("!");
  return (double) reps * nb * QK_K / s / 1e9;
}

// The same for two rows by two columns (four products of 4096 weights).
static double speed_2x2(kernel2x2_t kernel, size_t block_bytes) {
  static uint8_t rows[2 * 16 * sizeof(block_q6_K)];
  static block_q8_K cols[2][16];
  const int nb = 16;
  for (size_t i = 0; i < sizeof(rows); ++i) rows[i] = next_byte();
  for (int r = 0; r < 2; ++r) fill_q8(cols[r], nb, 0);
  float sink = 0, out[20];
  const int reps = 50000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int r = 0; r < reps; ++r) { kernel(nb * QK_K, out, 16, rows, nb * block_bytes, cols[0], sizeof(cols[0])); sink += out[0] + out[17]; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  if (sink == 12345.678f) printf("!");
  return (double) reps * 4 * nb * QK_K / s / 1e9;
}

int main(int argc, char ** argv) {
  (void) argv;
  printf("q6_K_err=%.3g q6_K_2x2_err=%.3g q4_K_2x2_err=%.3g", check(starling_vec_dot_q6_K_q8_K, w6, sizeof(block_q6_K)),
         check_2x2(starling_vec_dot_q6_K_q8_K_2x2, w6, sizeof(block_q6_K)), check_2x2(starling_vec_dot_q4_K_q8_K_2x2, w4, sizeof(block_q4_K)));
  printf(" q3_K_2x2_err=%.3g q5_K_2x2_err=%.3g", check_2x2(starling_vec_dot_q3_K_q8_K_2x2, w3, sizeof(block_q3_K)), check_2x2(starling_vec_dot_q5_K_q8_K_2x2, w5, sizeof(block_q5_K)));
  printf(" q2_K_2x2_err=%.3g", check_2x2(starling_vec_dot_q2_K_q8_K_2x2, w2, sizeof(block_q2_K)));
  if (argc > 1) {
    printf(" q6_K_gw=%.2f q6_K_2x2_gw=%.2f q4_K_2x2_gw=%.2f", speed(starling_vec_dot_q6_K_q8_K, sizeof(block_q6_K)),
           speed_2x2(starling_vec_dot_q6_K_q8_K_2x2, sizeof(block_q6_K)), speed_2x2(starling_vec_dot_q4_K_q8_K_2x2, sizeof(block_q4_K)));
    printf(" q3_K_2x2_gw=%.2f q5_K_2x2_gw=%.2f", speed_2x2(starling_vec_dot_q3_K_q8_K_2x2, sizeof(block_q3_K)), speed_2x2(starling_vec_dot_q5_K_q8_K_2x2, sizeof(block_q5_K)));
    printf(" q2_K_2x2_gw=%.2f", speed_2x2(starling_vec_dot_q2_K_q8_K_2x2, sizeof(block_q2_K)));
  }
  printf("\n");
  return 0;
}
