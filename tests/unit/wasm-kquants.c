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
typedef struct { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; ggml_half d; } block_q6_K;
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

int main(int argc, char ** argv) {
  (void) argv;
  printf("q6_K_err=%.3g", check(starling_vec_dot_q6_K_q8_K, w6, sizeof(block_q6_K)));
  if (argc > 1) printf(" q6_K_gw=%.2f", speed(starling_vec_dot_q6_K_q8_K, sizeof(block_q6_K)));
  printf("\n");
  return 0;
}
