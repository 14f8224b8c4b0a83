// The project's own CPU engine: a small C API over llama.cpp, built for plain wasm32 (SIMD128 +
// pthreads) by tools/build-engine.ts. JavaScript (engine/own-engine.worker.js) drives it one step at a
// time, so a generation can be stopped between tokens and a long prompt between batches.
//
// One model and one context at a time, one sequence: each prompt reuses the KV cache of the longest
// prefix it shares with the tokens already evaluated (like llama-server's cache_prompt).
#include "ggml-cpu.h"
#include "llama.h"

#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

llama_model * g_model = nullptr;
llama_context * g_ctx = nullptr;
llama_sampler * g_sampler = nullptr;
// llama.cpp's threads, kept between decodes. Without an attached pool ggml starts and joins its
// threads on every decode: in wasm each start is a message to a pthread worker, once per token.
ggml_threadpool * g_pool = nullptr;
int g_pool_max = 1;
// The most threads this module can run. The single-threaded module links the same llama.cpp library
// as the threaded one (tools/build-engine.ts), so ggml's own limit for builds without pthreads is not
// compiled in: this file is compiled for each module and keeps that limit.
#ifdef __EMSCRIPTEN_PTHREADS__
constexpr int kMaxThreads = 512;
#else
constexpr int kMaxThreads = 1;
#endif
const llama_vocab * g_vocab = nullptr;
// The tokens whose keys and values are in the KV cache, in order.
std::vector<llama_token> g_cached;
// The prompt being evaluated, and how far.
std::vector<llama_token> g_prompt;
size_t g_prompt_done = 0;
int32_t g_n_batch = 512;
std::vector<llama_model_kv_override> g_overrides;

void free_all() {
  if (g_sampler) llama_sampler_free(g_sampler);
  if (g_ctx) llama_free(g_ctx);
  if (g_pool) ggml_threadpool_free(g_pool);
  g_pool = nullptr;
  if (g_model) llama_model_free(g_model);
  g_sampler = nullptr;
  g_ctx = nullptr;
  g_model = nullptr;
  g_vocab = nullptr;
  g_cached.clear();
  g_prompt.clear();
  g_prompt_done = 0;
}

// "key=int:1\nkey=str:x\n" (the form wllama takes, one per line) into llama.cpp's override list.
bool parse_overrides(const char * text) {
  g_overrides.clear();
  std::string all = text ? text : "";
  size_t at = 0;
  while (at < all.size()) {
    size_t end = all.find('\n', at);
    if (end == std::string::npos) end = all.size();
    std::string line = all.substr(at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    size_t eq = line.find('=');
    size_t colon = line.find(':', eq == std::string::npos ? 0 : eq);
    if (eq == std::string::npos || colon == std::string::npos || eq >= 127) return false;
    llama_model_kv_override o{};
    std::memcpy(o.key, line.data(), eq);
    o.key[eq] = 0;
    std::string type = line.substr(eq + 1, colon - eq - 1);
    std::string value = line.substr(colon + 1);
    if (type == "int") {
      o.tag = LLAMA_KV_OVERRIDE_TYPE_INT;
      o.val_i64 = std::strtoll(value.c_str(), nullptr, 10);
    } else if (type == "float") {
      o.tag = LLAMA_KV_OVERRIDE_TYPE_FLOAT;
      o.val_f64 = std::strtod(value.c_str(), nullptr);
    } else if (type == "bool") {
      o.tag = LLAMA_KV_OVERRIDE_TYPE_BOOL;
      o.val_bool = value == "true" || value == "1";
    } else if (type == "str" && value.size() < 128) {
      o.tag = LLAMA_KV_OVERRIDE_TYPE_STR;
      std::memcpy(o.val_str, value.data(), value.size());
      o.val_str[value.size()] = 0;
    } else {
      return false;
    }
    g_overrides.push_back(o);
  }
  if (!g_overrides.empty()) {
    llama_model_kv_override end{};
    end.key[0] = 0;  // llama.cpp reads the list up to an empty key
    g_overrides.push_back(end);
  }
  return true;
}

// Runs with n threads (the caller's among them). The pool is made once per load, with the most
// threads the load may use: ending a pool joins its threads, and a decode right after a pool was
// replaced hung in Firefox ESR. A smaller count leaves the pool's other threads idle.
bool use_threads(int n) {
  if (!g_ctx || n < 1 || n > kMaxThreads) return false;
  if (!g_pool) {
    ggml_threadpool_params tpp = ggml_threadpool_params_default(g_pool_max);
    g_pool = ggml_threadpool_new(&tpp);
    if (!g_pool) return false;
    llama_attach_threadpool(g_ctx, g_pool, g_pool);
  }
  if (n > g_pool_max) return false;
  llama_set_n_threads(g_ctx, n, n);
  return true;
}

// llama.cpp's log to stderr (the worker's printErr), each line tagged with its level's letter so the
// worker can tell errors from information: "E ", "W ", "I ", "D ".
void log_line(ggml_log_level level, const char * text, void *) {
  const char * tag = level == GGML_LOG_LEVEL_ERROR ? "E " : level == GGML_LOG_LEVEL_WARN ? "W "
                   : level == GGML_LOG_LEVEL_DEBUG ? "D " : level == GGML_LOG_LEVEL_CONT ? "" : "I ";
  std::fputs(tag, stderr);
  std::fputs(text, stderr);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void se_init() {
  llama_log_set(log_line, nullptr);
  llama_backend_init();
}

// 0: loaded. 1: bad overrides. 2: llama.cpp refused the model. 3: it could not make a context.
// 4: its threads could not start.
// llama.cpp's reason is in its log (stderr), which the worker keeps.
EMSCRIPTEN_KEEPALIVE int se_load(const char * path, int n_ctx, int n_threads, int max_threads, int n_batch, const char * overrides) {
  free_all();
  if (n_threads > kMaxThreads) return 4;
  g_pool_max = max_threads > n_threads ? max_threads : n_threads;
  if (g_pool_max > kMaxThreads) g_pool_max = kMaxThreads;
  if (!parse_overrides(overrides)) return 1;
  llama_model_params mp = llama_model_default_params();
  // The files are Blobs behind Emscripten's WORKERFS: reading them is a copy into the weights' buffers;
  // mmap would be emulated by reading the whole file into a second buffer first.
  mp.load_mode = LLAMA_LOAD_MODE_NONE;
  mp.lazy_mode = LLAMA_LAZY_MODE_OFF;
  mp.n_gpu_layers = 0;
  mp.kv_overrides = g_overrides.empty() ? nullptr : g_overrides.data();
  g_model = llama_model_load_from_file(path, mp);
  if (!g_model) return 2;
  g_vocab = llama_model_get_vocab(g_model);
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = n_ctx;
  g_n_batch = n_batch > 0 ? n_batch : 512;
  cp.n_batch = g_n_batch;
  cp.n_ubatch = g_n_batch;
  cp.n_seq_max = 1;
  cp.n_threads = n_threads;
  cp.n_threads_batch = n_threads;
  cp.no_perf = false;
  g_ctx = llama_init_from_model(g_model, cp);
  if (!g_ctx) {
    free_all();
    return 3;
  }
  if (!use_threads(n_threads)) {
    free_all();
    return 4;
  }
  return 0;
}

EMSCRIPTEN_KEEPALIVE void se_free() { free_all(); }

// 1: the new thread count runs (at most the load's max_threads).
EMSCRIPTEN_KEEPALIVE int se_set_threads(int n) { return use_threads(n) ? 1 : 0; }

EMSCRIPTEN_KEEPALIVE int se_n_ctx() { return g_ctx ? (int)llama_n_ctx(g_ctx) : 0; }
EMSCRIPTEN_KEEPALIVE int se_n_vocab() { return g_vocab ? llama_vocab_n_tokens(g_vocab) : 0; }
EMSCRIPTEN_KEEPALIVE int se_bos() { return g_vocab ? llama_vocab_bos(g_vocab) : -1; }
EMSCRIPTEN_KEEPALIVE int se_eos() { return g_vocab ? llama_vocab_eos(g_vocab) : -1; }
EMSCRIPTEN_KEEPALIVE int se_eot() { return g_vocab ? llama_vocab_eot(g_vocab) : -1; }
EMSCRIPTEN_KEEPALIVE int se_is_eog(int token) { return g_vocab && llama_vocab_is_eog(g_vocab, token) ? 1 : 0; }

EMSCRIPTEN_KEEPALIVE const char * se_chat_template() { return g_model ? llama_model_chat_template(g_model, nullptr) : nullptr; }
EMSCRIPTEN_KEEPALIVE int se_meta_count() { return g_model ? llama_model_meta_count(g_model) : 0; }
EMSCRIPTEN_KEEPALIVE int se_meta_key(int i, char * buf, int size) { return llama_model_meta_key_by_index(g_model, i, buf, size); }
EMSCRIPTEN_KEEPALIVE int se_meta_val(int i, char * buf, int size) { return llama_model_meta_val_str_by_index(g_model, i, buf, size); }

// A token's bytes as the reply shows them (special tokens rendered as their text); the length, or
// minus the size needed.
EMSCRIPTEN_KEEPALIVE int se_piece(int token, char * buf, int size) {
  return llama_token_to_piece(g_vocab, token, buf, size, 0, true);
}

// Token ids as llama.cpp's own vocabulary writes them back (special tokens as their text), the way
// llama-server reports a prompt: the page compares it with its own tokenizer's view of the same ids.
EMSCRIPTEN_KEEPALIVE int se_detokenize(const int32_t * ids, int n, char * buf, int size) {
  return llama_detokenize(g_vocab, ids, n, buf, size, false, true);
}

// Starts evaluating a prompt. Returns how many of its tokens the KV cache already holds (at most all
// but the last: its logits are needed), or -1 when it does not fit the context.
EMSCRIPTEN_KEEPALIVE int se_prompt_begin(const int32_t * ids, int n) {
  if (!g_ctx || n <= 0 || n > (int)llama_n_ctx(g_ctx)) return -1;
  size_t keep = 0;
  while (keep < g_cached.size() && keep < (size_t)n && g_cached[keep] == ids[keep]) keep++;
  if (keep == (size_t)n) keep = n - 1;
  llama_memory_t mem = llama_get_memory(g_ctx);
  if (!llama_memory_seq_rm(mem, 0, (llama_pos)keep, -1)) {
    // A cache that cannot drop a suffix is cleared and the prompt evaluated whole.
    llama_memory_clear(mem, true);
    keep = 0;
  }
  g_cached.resize(keep);
  g_prompt.assign(ids, ids + n);
  g_prompt_done = keep;
  return (int)keep;
}

// Evaluates the next batch of the prompt: the tokens still to go (0: done), or minus llama_decode's code.
EMSCRIPTEN_KEEPALIVE int se_prompt_step() {
  size_t left = g_prompt.size() - g_prompt_done;
  if (left == 0) return 0;
  int32_t n = (int32_t)(left < (size_t)g_n_batch ? left : (size_t)g_n_batch);
  llama_batch batch = llama_batch_get_one(g_prompt.data() + g_prompt_done, n);
  int rc = llama_decode(g_ctx, batch);
  if (rc != 0) return rc > 0 ? -rc : rc;
  g_cached.insert(g_cached.end(), g_prompt.begin() + g_prompt_done, g_prompt.begin() + g_prompt_done + n);
  g_prompt_done += n;
  return (int)(g_prompt.size() - g_prompt_done);
}

// The sampler chain for one generation, in llama-server's order for the hosted API's parameters:
// penalties over the last `last_n` tokens, top-k, top-p, temperature, then a seeded draw. A
// temperature of 0 or less is greedy.
EMSCRIPTEN_KEEPALIVE void se_sampler(float temp, int top_k, float top_p, uint32_t seed, float repeat_penalty,
                                     float frequency_penalty, float presence_penalty, int last_n) {
  if (g_sampler) llama_sampler_free(g_sampler);
  g_sampler = llama_sampler_chain_init(llama_sampler_chain_default_params());
  llama_sampler_chain_add(g_sampler, llama_sampler_init_penalties(llama_vocab_n_tokens(g_vocab), last_n, repeat_penalty, frequency_penalty, presence_penalty));
  if (temp <= 0.0f) {
    llama_sampler_chain_add(g_sampler, llama_sampler_init_greedy());
    return;
  }
  if (top_k > 0) llama_sampler_chain_add(g_sampler, llama_sampler_init_top_k(top_k));
  if (top_p < 1.0f) llama_sampler_chain_add(g_sampler, llama_sampler_init_top_p(top_p, 1));
  llama_sampler_chain_add(g_sampler, llama_sampler_init_temp(temp));
  llama_sampler_chain_add(g_sampler, llama_sampler_init_dist(seed));
}

// Samples the next token from the last evaluated position (and records it for the penalties).
EMSCRIPTEN_KEEPALIVE int se_sample() {
  if (!g_ctx || !g_sampler) return -1;
  llama_token t = llama_sampler_sample(g_sampler, g_ctx, -1);
  return t;
}

// Evaluates one generated token. 0: done; 1: the context is full; minus llama_decode's code.
EMSCRIPTEN_KEEPALIVE int se_feed(int token) {
  if (g_cached.size() + 1 > llama_n_ctx(g_ctx)) return 1;
  llama_token t = token;
  int rc = llama_decode(g_ctx, llama_batch_get_one(&t, 1));
  if (rc != 0) return rc > 0 ? -rc : rc;
  g_cached.push_back(t);
  return 0;
}

// Tokens in the KV cache (the prompt plus what was generated).
EMSCRIPTEN_KEEPALIVE int se_n_cached() { return (int)g_cached.size(); }

// The top of the heap malloc has taken (sbrk): the bytes of wasm memory in use, at their highest so
// far (dlmalloc does not give memory back). The Memory itself is larger by the growth's headroom.
EMSCRIPTEN_KEEPALIVE double se_heap_used() { return (double)(uintptr_t)sbrk(0); }

// Grows the wasm memory to at least `bytes` (in 64 KB pages, within the 4 GB ceiling) before a load,
// so malloc finds the room the memory planner predicted: Emscripten's own growth adds 20% or 96 MB
// beyond each request, which left the 134M models' heaps 3-18% over what they used. Only the threaded
// build calls it: its JavaScript re-reads the shared memory's size; the single-threaded build's views
// would be left on a detached buffer. Returns the memory's size in bytes.
EMSCRIPTEN_KEEPALIVE double se_reserve(double bytes) {
  const double page = 65536.0;
  double have = (double)__builtin_wasm_memory_size(0) * page;
  double want = bytes < 4294967296.0 - page ? bytes : 4294967296.0 - page;
  if (want > have) __builtin_wasm_memory_grow(0, (size_t)((want - have + page - 1) / page));
  return (double)__builtin_wasm_memory_size(0) * page;
}

// The speed forecast's calibration (workers/lib/engine/own/calibrate.ts): the fastest of `reps` timed
// runs, in seconds, of n_mats ggml matrix products as llama.cpp runs a model's weights: each a rows x
// cols matrix of `type` times n_tokens activations (1: generation; a batch: the prompt), on n_threads.
// Several matrices, so that generation streams its weights from memory as a large model does, not
// from the CPU's caches. Every row is the same quantized random row: the values do not change the
// speed. -1: the type cannot be quantized here, or memory ran out. Run it on an instance with no model.
EMSCRIPTEN_KEEPALIVE double se_matmul_seconds(int type, int rows, int cols, int n_tokens, int n_mats, int n_threads, int reps) {
  const ggml_type t = (ggml_type)type;
  if (type < 0 || type >= GGML_TYPE_COUNT || n_mats < 1 || n_threads < 1 || n_threads > kMaxThreads || ggml_quantize_requires_imatrix(t) || cols % ggml_blck_size(t) != 0) return -1;
  ggml_cpu_init();
  const size_t row_bytes = ggml_row_size(t, cols);
  ggml_init_params ip = {
      /*.mem_size =*/ (row_bytes * rows + sizeof(float) * (size_t)rows * n_tokens) * n_mats + sizeof(float) * (size_t)cols * n_tokens +
          (2 * n_mats + 4) * ggml_tensor_overhead() + ggml_graph_overhead() + (1 << 20),
      /*.mem_buffer =*/ nullptr,
      /*.no_alloc =*/ false,
  };
  ggml_context * ctx = ggml_init(ip);
  if (!ctx) return -1;
  uint32_t seed = 12345;
  auto next = [&seed]() { seed = seed * 1664525u + 1013904223u; return ((seed >> 8) & 0xffff) / 32768.0f - 1.0f; };
  ggml_tensor * x = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, cols, n_tokens);
  float * xs = (float *)x->data;
  for (int64_t i = 0; i < (int64_t)cols * n_tokens; i++) xs[i] = next();
  std::vector<float> row(cols);
  for (float & v : row) v = next() * 0.05f;
  ggml_cgraph * gf = ggml_new_graph(ctx);
  for (int k = 0; k < n_mats; k++) {
    ggml_tensor * w = ggml_new_tensor_2d(ctx, t, cols, rows);
    ggml_quantize_chunk(t, row.data(), w->data, 0, 1, cols, nullptr);
    for (int r = 1; r < rows; r++) std::memcpy((char *)w->data + (size_t)r * row_bytes, w->data, row_bytes);
    ggml_build_forward_expand(gf, ggml_mul_mat(ctx, w, x));
  }
  ggml_threadpool_params tpp = ggml_threadpool_params_default(n_threads);
  ggml_threadpool * pool = ggml_threadpool_new(&tpp);
  double best = -1;
  if (pool) {
    ggml_cplan plan = ggml_graph_plan(gf, n_threads, pool);
    std::vector<uint8_t> work(plan.work_size);
    plan.work_data = work.data();
    for (int i = 0; i <= reps; i++) {
      double t0 = emscripten_get_now();
      ggml_graph_compute(gf, &plan);
      double s = (emscripten_get_now() - t0) / 1000.0;
      if (i > 0 && (best < 0 || s < best)) best = s;  // the first run warms the pool and the page tables
    }
    ggml_threadpool_free(pool);
  }
  ggml_free(ctx);
  return best;
}

}  // extern "C"
