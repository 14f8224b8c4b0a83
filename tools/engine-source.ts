/**
 * Prepares llama.cpp's source for the own engine's wasm32 build: two edits, each checked against the
 * source's shape so that a new llama.cpp that no longer fits fails the build loudly.
 *
 * 1. Trim to the architectures the own engine serves.
 * llama.cpp compiles one file per architecture (src/models/*.cpp, 156 files, about half of libllama's
 * compile time on 2 cores). The app's models (Starling/OpenChat and the test models: llama; StarChat:
 * starcoder) need two of them. Every other architecture is left out of the build: llama.cpp then
 * refuses it with "unsupported model architecture: '<name>'", and the engine worker hands such a
 * model to wllama, which has them all (engine-choice.ts).
 *
 * 2. Cap the CPU buffer type at 1 GiB. Emscripten's dlmalloc grows the heap with sbrk(intptr_t) and
 * refuses any one request of 2 GB or more (sys_alloc's HALF_MAX_SIZE_T), so a 3.1 GB 7B model, whose
 * weights llama.cpp asks for as one buffer, failed to load although it fits in wasm32's 4 GB. With a
 * maximum size, ggml allocates the weights as several buffers (ggml_backend_alloc_ctx_tensors_from_buft).
 */
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { OWN_ARCHS } from '../workers/lib/engine/own/archs.ts';

/** The src/models files built in; each defines the llama_model_* classes of its architecture. */
const OWN_MODEL_FILES: string[] = Object.values(OWN_ARCHS);

const MARK = '.starling-edits';

/** The largest single CPU buffer, in bytes (see 2 above). */
export const CPU_BUFFER_MAX = 1 << 30;

/** What the edits change, for the build's cache key. */
export const sourceEditsKey = (): string => `${OWN_MODEL_FILES.join(',')};cpu-buffer-max=${CPU_BUFFER_MAX}`;

/** Both edits, once per source tree (a marked tree is left as it is). */
export function prepareLlamaSource(src: string): void {
  if (existsSync(join(src, MARK))) return;
  const dropped = trimLlamaSource(src);
  capCpuBuffers(src);
  writeFileSync(join(src, MARK), `${sourceEditsKey()}\n${dropped} architectures left out\n`);
}

export function capCpuBuffers(src: string): void {
  const path = join(src, 'ggml', 'src', 'ggml-backend.cpp');
  const text = readFileSync(path, 'utf8');
  const head = 'ggml_backend_buffer_type_t ggml_backend_cpu_buffer_type(void) {';
  const start = text.indexOf(head);
  const field = '/* .get_max_size     = */ NULL, // defaults to SIZE_MAX';
  const at = text.indexOf(field, start);
  if (start < 0 || at < 0 || at - start > 600) throw new Error('engine source: ggml_backend_cpu_buffer_type in ggml/src/ggml-backend.cpp has changed shape');
  const fn =
    '// Starling Playground (tools/engine-source.ts): wasm32 malloc cannot serve one request of 2 GB or more.\n' +
    `static size_t starling_cpu_buffer_max_size(ggml_backend_buffer_type_t) { return ${CPU_BUFFER_MAX}u; }\n\n`;
  writeFileSync(path, text.slice(0, start) + fn + text.slice(start, at) + '/* .get_max_size     = */ starling_cpu_buffer_max_size,' + text.slice(at + field.length));
}

/**
 * Rewrites src/CMakeLists.txt to compile only OWN_MODEL_FILES and drops from llama_model_mapping
 * (src/llama-model.cpp) every case whose class no kept file defines; returns how many it dropped.
 */
export function trimLlamaSource(src: string): number {
  const models = join(src, 'src', 'models');
  const kept = new Set<string>();
  for (const f of OWN_MODEL_FILES) {
    for (const m of readFileSync(join(models, f), 'utf8').matchAll(/\b(llama_model_\w+)::/g)) kept.add(m[1]);
  }
  const all = readdirSync(models).filter((f) => f.endsWith('.cpp'));
  for (const f of OWN_MODEL_FILES) if (!all.includes(f)) throw new Error(`engine source: src/models/${f} is not in this llama.cpp`);

  const cmakePath = join(src, 'src', 'CMakeLists.txt');
  const cmake = readFileSync(cmakePath, 'utf8');
  const glob = 'file(GLOB LLAMA_MODELS_SOURCES "models/*.cpp")';
  if (!cmake.includes(glob)) throw new Error('engine source: src/CMakeLists.txt no longer globs models/*.cpp');
  writeFileSync(cmakePath, cmake.replace(glob, `set(LLAMA_MODELS_SOURCES ${OWN_MODEL_FILES.map((f) => `models/${f}`).join(' ')})`));

  const modelPath = join(src, 'src', 'llama-model.cpp');
  const model = readFileSync(modelPath, 'utf8');
  let dropped = 0;
  const trimmed = model.replace(/^\s*case LLM_ARCH_\w+:\s*\n\s*return new (llama_model_\w+)\(params\);\s*\n/gm, (whole, cls: string) => {
    if (kept.has(cls)) return whole;
    dropped++;
    return '';
  });
  if (dropped === 0) throw new Error('engine source: llama_model_mapping in src/llama-model.cpp has changed shape');
  writeFileSync(modelPath, trimmed);
  return dropped;
}
