/**
 * The memory planner's verdicts where the user decides: on each catalogue row (from the card's file
 * size and the model's shape) and before a custom URL or local file is downloaded (from its GGUF
 * header, read with Range requests or file slices).
 */
import type { GgufHeaderInfo } from '$workers/lib/planner/header-info';
import { planMemory, type MemoryPlan, type PlanBackend, type PlanLimits } from '$workers/lib/planner/memory-plan';
import { factsFromFileSize } from '$workers/lib/planner/quant-fit';
import { formatBytes } from '$workers/lib/format';
import type { BackendChoice } from '$workers/lib/engine/backend';
import { backendFor } from '$workers/lib/engine/backend';
import type { CatalogFile, CatalogModel } from '$workers/lib/catalog';

export interface Verdict {
  fits: boolean;
  /** Short text for a table cell. */
  text: string;
  /** The plan's reasons, for a tooltip or an error message. */
  detail: string;
}

/** The backend a load would use: WebGPU only where the adapter has what llama.cpp needs. */
function plannedBackend(choice: BackendChoice, limits: PlanLimits): PlanBackend {
  return backendFor(choice, limits.webgpu ? { shaderF16: limits.webgpu.shaderF16 ?? false } : null).backend;
}

function verdictOf(plan: MemoryPlan): Verdict {
  const where = plan.backend === 'cpu' ? 'CPU' : 'WebGPU';
  const detail = [...plan.reasons, ...plan.warnings].join(' ');
  if (plan.verdict === 'too-big') {
    const text = plan.maxCtx > 0 ? `Fits only with context ≤ ${plan.maxCtx}` : `Too big for ${where} here`;
    return { fits: false, text, detail };
  }
  const need = plan.backend === 'cpu' ? plan.wasmHeap : plan.gpu;
  return { fits: true, text: `${plan.verdict === 'tight' ? 'Tight' : 'Fits'}: ${formatBytes(need).split(' (')[0]} on ${where}`, detail };
}

export function catalogVerdict(model: CatalogModel, file: CatalogFile, ctx: number, choice: BackendChoice, limits: PlanLimits): Verdict {
  const facts = factsFromFileSize(model.shape, file.sizeBytes);
  return verdictOf(planMemory(facts, { ctx, backend: plannedBackend(choice, limits), limits }));
}

export function headerVerdict(info: GgufHeaderInfo, ctx: number, choice: BackendChoice, limits: PlanLimits): Verdict {
  return verdictOf(planMemory(info, { ctx, backend: plannedBackend(choice, limits), limits }));
}

/**
 * Below this total size a model leaves most of the 4 GiB heap free, so its header is not read ahead
 * (one HEAD request decides); the load reports the rare context that still does not fit.
 */
const PLAN_MIN_BYTES = 512 << 20;

async function remoteSize(url: string): Promise<number | null> {
  const res = await fetch(url, { method: 'HEAD' });
  const n = Number(res.headers.get('Content-Length') ?? NaN);
  return res.ok && Number.isFinite(n) ? n : null;
}

/**
 * The header of what is about to be downloaded, or null when it is small or cannot be read cheaply
 * (no Range support, a network error): the download then goes ahead and its own checks report problems.
 */
export async function readHeaderBeforeDownload(input: { urls: string[] } | { files: File[] }): Promise<GgufHeaderInfo | null> {
  try {
    // The header reader is loaded only when a header is read: most visits never need it.
    const { readRemoteShardedHeaderInfo, readShardedHeaderInfo } = await import('$workers/lib/planner/header-info');
    if ('files' in input) return await readShardedHeaderInfo(input.files);
    const sizes = await Promise.all(input.urls.map(remoteSize));
    if (sizes.some((s) => s === null) || sizes.reduce<number>((n, s) => n + (s ?? 0), 0) < PLAN_MIN_BYTES) return null;
    return await readRemoteShardedHeaderInfo(input.urls);
  } catch {
    return null;
  }
}
