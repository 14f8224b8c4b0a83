/**
 * The model architectures (`general.architecture`) the bundled llama.cpp can load: the names of its
 * LLM_ARCH_NAMES table (src/llama-arch.cpp).
 *
 * Where this list came from: @wllama/wllama 3.8.1 ships no llama.cpp sources, so each name below was
 * checked to be present as a NUL-terminated string in node_modules/@wllama/wllama/esm/wasm/wllama.wasm
 * (a scan of its data section for upstream's LLM_ARCH names; the linker merges a short name into the
 * tail of a longer string, so `llama`, `bert`, `qwen`, `qwen2`, `mpt`, `rwkv7` were found as tails).
 * When wllama is upgraded, re-run that scan and extend the list: an architecture missing here is
 * refused before download, one listed wrongly only fails later, at load.
 */
export const KNOWN_ARCHITECTURES: ReadonlySet<string> = new Set([
  'llama', 'llama4', 'llama-embed', 'deci', 'falcon', 'falcon-h1', 'grok', 'gpt2', 'gptj', 'gptneox', 'gpt-oss',
  'mpt', 'baichuan', 'starcoder', 'starcoder2', 'refact', 'bert', 'modern-bert', 'nomic-bert', 'nomic-bert-moe',
  'neo-bert', 'jina-bert-v2', 'jina-bert-v3', 'eurobert', 'bloom', 'stablelm', 'qwen', 'qwen2', 'qwen2moe',
  'qwen2vl', 'qwen3', 'qwen3moe', 'qwen3next', 'qwen3vl', 'qwen3vlmoe', 'qwen35', 'qwen35moe', 'phi2', 'phi3',
  'phimoe', 'plamo', 'plamo2', 'plamo3', 'codeshell', 'orion', 'internlm2', 'minicpm', 'minicpm3', 'gemma',
  'gemma2', 'gemma3', 'gemma3n', 'gemma-embedding', 'mamba', 'mamba2', 'jamba', 'xverse', 'command-r',
  'cohere2', 'dbrx', 'olmo', 'olmo2', 'olmoe', 'openelm', 'arctic', 'deepseek', 'deepseek2', 'deepseek2-ocr',
  'chatglm', 'glm4', 'glm4moe', 'glm4v', 'glm-dsa', 'bitnet', 't5', 't5encoder', 'jais', 'jais2', 'nemotron',
  'nemotron_h', 'nemotron_h_moe', 'exaone', 'exaone4', 'exaone-moe', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7',
  'granite', 'granitemoe', 'granitehybrid', 'chameleon', 'wavtokenizer-dec', 'plm', 'bailingmoe',
  'bailingmoe2', 'dots1', 'arcee', 'afmoe', 'ernie4_5', 'ernie4_5-moe', 'hunyuan-moe', 'hunyuan-dense',
  'hunyuan-vl', 'smollm3', 'lfm2', 'lfm2moe', 'dream', 'smallthinker', 'llada', 'llada-moe', 'seed_oss',
  'grovemoe', 'apertus', 'minimax-m2', 'cogvlm', 'rnd1', 'pangu-embedded', 'mistral3', 'mistral4', 'maincoder',
  'mimo2', 'kimi-linear', 'step35', 'paddleocr', 'megrez',
]);
