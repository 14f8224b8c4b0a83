// Checks engine/wasm_f16.h and engine/wasm_fa.h, built for wasm SIMD128 and run in Node
// (tests/unit/wasm-kernels.test.ts). The references here are plain, independent arithmetic in
// double precision. Prints one line of counts; the test reads it.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

typedef uint16_t ggml_fp16_t;

// The exact value of a half (IEEE binary16).
static float ref_f16_to_f32(ggml_fp16_t h) {
  const int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v;
  if (e == 31) v = m ? NAN : INFINITY;
  else if (e == 0) v = ldexp(m, -24);
  else v = ldexp(1024 + m, e - 25);
  return (float) (sign ? -v : v);
}

// Round to the nearest half, ties to even (nearbyint rounds ties to even); NaN as ggml writes it.
static ggml_fp16_t ref_f32_to_f16(float f) {
  uint32_t w;
  memcpy(&w, &f, 4);
  const uint16_t sign = (uint16_t) ((w >> 16) & 0x8000);
  if (isnan(f)) return sign | 0x7E00;
  const double a = fabs((double) f);
  if (a >= 65520.0) return sign | 0x7C00;
  if (a < ldexp(1, -14)) return sign | (uint16_t) nearbyint(a * ldexp(1, 24));  // 0x400 is the smallest normal: right
  int e;
  frexp(a, &e);  // a = x * 2^e, x in [0.5, 1)
  e -= 1;        // a = (1 + m/1024) * 2^e
  double mant = nearbyint((a / ldexp(1, e) - 1.0) * 1024.0);
  if (mant == 1024) { mant = 0; e += 1; }
  if (e + 15 >= 31) return sign | 0x7C00;
  return sign | (uint16_t) (((e + 15) << 10) | (int) mant);
}

// What the headers expect from ggml.
#define GGML_CPU_FP16_TO_FP32(x) ref_f16_to_f32(x)
#define GGML_CPU_FP32_TO_FP16(x) ref_f32_to_f16(x)
static void ggml_vec_scale_f32(const int n, float * y, const float v) { for (int i = 0; i < n; ++i) y[i] *= v; }
static void ggml_vec_mad_f32(const int n, float * y, const float * x, const float v) { for (int i = 0; i < n; ++i) y[i] += x[i]*v; }
#define GGML_ASSERT(x) do { if (!(x)) abort(); } while (0)
#define GGML_MAX_N_THREADS 512

#include "../../engine/wasm_f16.h"
#include "../../engine/wasm_fa.h"

static uint32_t seed = 12345;
static uint32_t next_u32(void) { seed = seed * 1664525u + 1013904223u; return seed; }
static float next_f(void) { return ((next_u32() >> 8) / 16777216.0f) * 2.0f - 1.0f; }

static int same_f32(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  uint32_t x, y;
  memcpy(&x, &a, 4);
  memcpy(&y, &b, 4);
  return x == y;
}

// Every half through the load, and back through the store.
static int check_halves(void) {
  int bad = 0;
  for (uint32_t h = 0; h < 65536; h += 4) {
    ggml_fp16_t in[4] = { (ggml_fp16_t) h, (ggml_fp16_t) (h + 1), (ggml_fp16_t) (h + 2), (ggml_fp16_t) (h + 3) };
    float out[4];
    wasm_v128_store(out, __wasm_f16x4_load(in));
    ggml_fp16_t back[4];
    __wasm_f16x4_store(back, wasm_v128_load(out));
    for (int i = 0; i < 4; ++i) {
      if (!same_f32(out[i], ref_f16_to_f32(in[i]))) bad++;
      if (!isnan(out[i]) && back[i] != in[i]) bad++;
    }
  }
  return bad;
}

// Floats through the store: every half's neighbours and midpoints (the rounding cases), and random bits.
static int check_floats(int n_random) {
  int bad = 0, count = 0;
  float batch[4];
  ggml_fp16_t got[4];
#define FLUSH() do { __wasm_f16x4_store(got, wasm_v128_load(batch)); for (int i = 0; i < 4; ++i) if (got[i] != ref_f32_to_f16(batch[i])) bad++; count = 0; } while (0)
#define PUSH(x) do { batch[count++] = (x); if (count == 4) FLUSH(); } while (0)
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    for (int s = 0; s < 2; ++s) {
      const float sign = s ? -1.0f : 1.0f;
      const double lo = ref_f16_to_f32((ggml_fp16_t) h), hi = ref_f16_to_f32((ggml_fp16_t) (h + 1));
      const float mid = (float) ((lo + hi) / 2);  // exact in float
      PUSH(sign * mid);
      PUSH(sign * nextafterf(mid, 0));
      PUSH(sign * nextafterf(mid, INFINITY));
      PUSH(sign * (float) lo);
    }
  }
  for (int i = 0; i < n_random; ++i) {
    uint32_t w = next_u32();
    float f;
    memcpy(&f, &w, 4);
    PUSH(f);
  }
  while (count) PUSH(0.0f);
  return bad;
}

// One query row against n positions, in double, from the same F16 inputs.
static void ref_attention(int DK, int DV, const float * q, const ggml_fp16_t * k, const ggml_fp16_t * v, const ggml_fp16_t * mask, int n, float scale, double * out) {
  double s[4096], m = -INFINITY, sum = 0;
  for (int j = 0; j < n; ++j) {
    const double mv = ref_f16_to_f32(mask[j]);
    if (mv == -INFINITY) { s[j] = -INFINITY; continue; }
    double d = 0;
    for (int i = 0; i < DK; ++i) d += (double) ref_f16_to_f32(k[j * DK + i]) * q[i];
    s[j] = d * scale + mv;
    if (s[j] > m) m = s[j];
  }
  for (int i = 0; i < DV; ++i) out[i] = 0;
  for (int j = 0; j < n; ++j) {
    if (s[j] == -INFINITY) continue;
    const double p = exp(s[j] - m);
    sum += p;
    for (int i = 0; i < DV; ++i) out[i] += p * ref_f16_to_f32(v[j * DV + i]);
  }
  for (int i = 0; i < DV; ++i) out[i] /= sum;
}

// The kernel against the reference: head sizes that are and are not multiples of 16, lengths across
// blocks, rows with their own masks (masked positions, a row whose first block is all masked), scores
// far apart (weights that underflow), one row and a full group, and a range split in two calls that are
// merged as ggml's split-KV path merges them.
static double check_attention(void) {
  static ggml_fp16_t k[4096 * 80], v[4096 * 80], mask[STARLING_FA_GROUP][4096];
  static float q[STARLING_FA_GROUP][80];
  static double ref[80];
  static starling_fa_rows_t rows, halves[2];
  const int dims[] = { 64, 80, 36 };
  const int lengths[] = { 1, 63, 64, 65, 700, 4096 };
  const int groups[] = { 1, 4, STARLING_FA_GROUP };
  double worst = 0;
  for (int di = 0; di < 3; ++di) {
    for (int li = 0; li < 6; ++li) {
      for (int gi = 0; gi < 3; ++gi) {
        const int D = dims[di], n = lengths[li], g = groups[gi], spread = (li + gi) % 2;
        for (int j = 0; j < n * D; ++j) { k[j] = ref_f32_to_f16(next_f()); v[j] = ref_f32_to_f16(next_f() * 3.0f); }
        for (int r = 0; r < g; ++r) {
          for (int i = 0; i < D; ++i) q[r][i] = next_f() * (spread ? 40.0f : 1.0f);
          for (int j = 0; j < n; ++j) {
            // -inf: masked. Row 1 sees nothing of the first block (a causal mask's later rows see more).
            const int masked = n > 1 && ((j % 7 == (r % 7)) || (r == 1 && j < 64 && j < n - 1));
            mask[r][j] = masked ? 0xFC00 : 0;
          }
        }
        const float scale = 1.0f / sqrtf((float) D);
        for (int split = 0; split < 2; ++split) {
          if (split && n < 2) continue;
          starling_fa_rows_t * parts[2] = { split ? &halves[0] : &rows, &halves[1] };
          const int64_t bounds[3] = { 0, split ? n / 2 : n, n };
          for (int p = 0; p <= split; ++p) {
            starling_fa_rows_t * rs = parts[p];
            rs->n = g;
            for (int r = 0; r < g; ++r) { rs->q[r] = q[r]; rs->mask[r] = mask[r]; rs->slope[r] = 1.0f; }
            starling_fa_rows(0, D, D, rs, (const char *) k, D * 2, (const char *) v, D * 2, scale, bounds[p], bounds[p + 1]);
          }
          for (int r = 0; r < g; ++r) {
            ref_attention(D, D, q[r], k, v, mask[r], n, scale, ref);
            float M, S, out[80];
            if (split) {
              const starling_fa_rows_t * a = &halves[0], * b = &halves[1];
              M = a->M[r] > b->M[r] ? a->M[r] : b->M[r];
              const float fa = a->M[r] == -INFINITY ? 0 : expf(a->M[r] - M), fb = b->M[r] == -INFINITY ? 0 : expf(b->M[r] - M);
              S = a->S[r] * fa + b->S[r] * fb;
              for (int i = 0; i < D; ++i) out[i] = a->out[r][i] * fa + b->out[r][i] * fb;
            } else {
              M = rows.M[r];
              S = rows.S[r];
              for (int i = 0; i < D; ++i) out[i] = rows.out[r][i];
            }
            for (int i = 0; i < D; ++i) {
              const double err = fabs(out[i] / S - ref[i]);
              if (!(err <= worst)) worst = err;  // NaN counts as the worst
            }
          }
        }
      }
    }
  }
  return worst;
}

int main(void) {
  const int halves = check_halves();
  const int floats = check_floats(1 << 22);
  const double attention = check_attention();
  printf("halves_bad=%d floats_bad=%d attention_max_err=%.3g\n", halves, floats, attention);
  return 0;
}
