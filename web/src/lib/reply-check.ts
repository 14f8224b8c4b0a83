/** Per-reply facts computed from the engine's answer: speed stats and the prompt token check. */
import type { Backend } from '$workers/lib/engine/backend';
import type { WasmBuild } from '$workers/lib/engine/wasm-build';
import type { GenerationResult } from '$workers/lib/engine/types';
import type { Tokenization } from '$workers/lib/tokenizer/prompt';

export interface GenStats {
  promptTps: number;
  genTps: number;
  ttftMs: number;
  backend: Backend;
  /** The llama.cpp wasm build that produced the reply. */
  build: WasmBuild;
  threads: number;
  /** Prompt tokens per llama_decode (absent in replies saved before it was recorded). */
  batch?: number;
  promptTokens: number;
  cachedTokens: number;
  genTokens: number;
}

/** The app's token count (and text) for a prompt, against what the engine reported evaluating. */
export interface TokenCheck {
  ours: number;
  engine: number | null;
  textMatches: boolean | null;
  ok: boolean;
}

export function statsFrom(result: GenerationResult, backend: Backend, threads: number, ttftMs: number, build: WasmBuild = 'default', batch?: number): GenStats {
  const t = result.timings;
  return {
    promptTps: t?.promptPerSecond ?? 0,
    genTps: t?.predictedPerSecond ?? 0,
    ttftMs,
    backend,
    build,
    threads,
    ...(batch ? { batch } : {}),
    promptTokens: t?.promptTokens ?? 0,
    cachedTokens: t?.cachedTokens ?? 0,
    genTokens: t?.predictedTokens ?? 0,
  };
}

export function checkTokens(tok: Tokenization, result: Pick<GenerationResult, 'enginePromptTokens' | 'enginePrompt'>): TokenCheck {
  const engine = result.enginePromptTokens;
  const textMatches = result.enginePrompt === null ? null : result.enginePrompt === tok.detokenized;
  return {
    ours: tok.ids.length,
    engine,
    textMatches,
    ok: (engine === null || engine === tok.ids.length) && textMatches !== false,
  };
}
