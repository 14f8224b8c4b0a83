/**
 * How large a context the loaded model may get: its trained context (the GGUF's
 * `<arch>.context_length`) and the largest context the memory planner fits in this browser for its
 * shape, weights and backend. The Settings panel's context field is checked against both.
 */
import type { LoadedModelInfo } from '$workers/lib/engine/types';
import { planMemory, type ModelFacts, type PlanLimits } from '$workers/lib/planner/memory-plan';
import type { ContextBounds } from './settings';

/** A whole number from the engine's metadata (llama.cpp gives every value as a string); null when absent. */
function count(meta: Record<string, string>, key: string): number | null {
  const n = Number(meta[key]);
  return meta[key] !== undefined && Number.isInteger(n) && n > 0 ? n : null;
}

export function contextBounds(info: Pick<LoadedModelInfo, 'metadata' | 'nVocab' | 'modelBytes' | 'backend'>, limits: PlanLimits): ContextBounds {
  const meta = info.metadata;
  const arch = meta['general.architecture'] ?? 'llama';
  const key = (k: string): number | null => count(meta, `${arch}.${k}`);
  const trained = key('context_length');
  const blockCount = key('block_count');
  const embeddingLength = key('embedding_length');
  const headCount = key('attention.head_count');
  if (blockCount === null || embeddingLength === null || headCount === null) return { trained, fits: null };
  const facts: ModelFacts = {
    blockCount,
    embeddingLength,
    headCount,
    headCountKv: key('attention.head_count_kv') ?? headCount,
    vocabSize: info.nVocab,
    feedForwardLength: key('feed_forward_length'),
    tensorDataBytes: info.modelBytes,
    contextLength: trained,
  };
  const plan = planMemory(facts, { ctx: 256, backend: info.backend, limits });
  return { trained, fits: plan.maxCtx > 0 ? plan.maxCtx : null };
}
