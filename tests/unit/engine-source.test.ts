import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CPU_BUFFER_MAX, prepareLlamaSource, trimLlamaSource } from '../../tools/engine-source';

/** A llama.cpp-shaped tree: three architecture files and the mapping that names them. */
function fakeTree(): string {
  const src = mkdtempSync(join(tmpdir(), 'trim-'));
  mkdirSync(join(src, 'src', 'models'), { recursive: true });
  writeFileSync(join(src, 'src', 'CMakeLists.txt'), 'file(GLOB LLAMA_MODELS_SOURCES "models/*.cpp")\nadd_library(llama ${LLAMA_MODELS_SOURCES})\n');
  for (const a of ['llama', 'starcoder', 'xverse']) writeFileSync(join(src, 'src', 'models', `${a}.cpp`), `void llama_model_${a}::load_arch_hparams() {}\n`);
  writeFileSync(
    join(src, 'src', 'llama-model.cpp'),
    [
      'static llama_model * llama_model_mapping(llm_arch arch, const llama_model_params & params) {',
      '    switch (arch) {',
      ...['LLAMA:llama', 'XVERSE:xverse', 'STARCODER:starcoder'].flatMap((p) => {
        const [a, c] = p.split(':');
        return [`        case LLM_ARCH_${a}:`, `            return new llama_model_${c}(params);`];
      }),
      '        default:',
      '            throw std::runtime_error("unsupported model architecture");',
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  mkdirSync(join(src, 'ggml', 'src'), { recursive: true });
  writeFileSync(
    join(src, 'ggml', 'src', 'ggml-backend.cpp'),
    [
      'ggml_backend_buffer_type_t ggml_backend_cpu_buffer_type(void) {',
      '    static struct ggml_backend_buffer_type ggml_backend_cpu_buffer_type = {',
      '            /* .get_max_size     = */ NULL, // defaults to SIZE_MAX',
      '    };',
      '}',
      'ggml_backend_buffer_type_t other(void) {',
      '            /* .get_max_size     = */ NULL, // defaults to SIZE_MAX',
      '}',
      '',
    ].join('\n'),
  );
  return src;
}

describe('engine source edits', () => {
  it('builds only the kept architectures, drops the others from the mapping, and caps CPU buffers, once', () => {
    const src = fakeTree();
    prepareLlamaSource(src);
    const cmake = readFileSync(join(src, 'src', 'CMakeLists.txt'), 'utf8');
    expect(cmake).toContain('set(LLAMA_MODELS_SOURCES models/llama.cpp models/starcoder.cpp)');
    expect(cmake).not.toContain('GLOB');
    const mapping = readFileSync(join(src, 'src', 'llama-model.cpp'), 'utf8');
    expect(mapping).toContain('return new llama_model_llama(params);');
    expect(mapping).toContain('return new llama_model_starcoder(params);');
    expect(mapping).not.toContain('XVERSE');
    expect(mapping).toContain('default:');
    const backend = readFileSync(join(src, 'ggml', 'src', 'ggml-backend.cpp'), 'utf8');
    expect(backend).toContain(`starling_cpu_buffer_max_size(ggml_backend_buffer_type_t) { return ${CPU_BUFFER_MAX}u; }`);
    expect(backend).toContain('/* .get_max_size     = */ starling_cpu_buffer_max_size,');
    // Only the CPU buffer type is capped.
    expect(backend.match(/defaults to SIZE_MAX/g)).toHaveLength(1);
    // A second run leaves the edited tree as it is.
    prepareLlamaSource(src);
    expect(readFileSync(join(src, 'src', 'llama-model.cpp'), 'utf8')).toBe(mapping);
    expect(readFileSync(join(src, 'ggml', 'src', 'ggml-backend.cpp'), 'utf8')).toBe(backend);
  });

  it('refuses a source whose build no longer globs the model files', () => {
    const src = fakeTree();
    writeFileSync(join(src, 'src', 'CMakeLists.txt'), 'set(LLAMA_MODELS_SOURCES models/a.cpp)\n');
    expect(() => trimLlamaSource(src)).toThrow(/no longer globs/);
  });
});
