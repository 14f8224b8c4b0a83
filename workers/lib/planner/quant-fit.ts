/**
 * Which quantisations of a model can run here, from a catalogue of file sizes (a model card's table),
 * before any header is read: the weights are taken as the file size (the header is well under 0.1% of
 * a multi-GB file, so this errs on the safe side).
 */
import type { ModelShape } from './components';
import { planMemory, type MemoryPlan, type ModelFacts, type PlanOptions } from './memory-plan';

/** One file of a model, as a catalogue lists it (workers/lib/catalog.ts). */
export interface QuantFile {
  quant: string;
  sizeBytes: number;
  recommended?: boolean;
}

export interface CatalogueShape extends ModelShape {
  contextLength: number | null;
  feedForwardLength: number;
}

/** Weight parameters of a llama-style shape (embeddings, output, attention, FFN). */
export function llamaParamCount(s: CatalogueShape): number {
  const headDim = s.embeddingLength / s.headCount;
  const kvDim = headDim * s.headCountKv;
  const perLayer = 2 * s.embeddingLength * s.embeddingLength + 2 * s.embeddingLength * kvDim + 3 * s.embeddingLength * s.feedForwardLength;
  return 2 * s.vocabSize * s.embeddingLength + s.blockCount * perLayer;
}

/**
 * Model facts from a shape and a file size. The embedding and largest-tensor sizes (WebGPU only) are
 * estimates at the file's average bytes per weight.
 */
export function factsFromFileSize(shape: CatalogueShape, fileBytes: number): ModelFacts {
  const perParam = fileBytes / llamaParamCount(shape);
  const embd = shape.vocabSize * shape.embeddingLength * perParam;
  const ffn = shape.feedForwardLength * shape.embeddingLength * perParam;
  return {
    ...shape,
    tensorDataBytes: fileBytes,
    tokenEmbeddingBytes: embd,
    hasOutputTensor: true,
    largestTensor: embd >= ffn ? { name: 'token_embd.weight', bytes: embd } : { name: 'blk.0.ffn_up.weight', bytes: ffn },
  };
}

export interface QuantPlan {
  quant: QuantFile;
  plan: MemoryPlan;
}

/** A plan for every quantisation in the catalogue, in catalogue order. */
function planQuants(shape: CatalogueShape, catalogue: readonly QuantFile[], opts: PlanOptions): QuantPlan[] {
  return catalogue.map((quant) => ({ quant, plan: planMemory(factsFromFileSize(shape, quant.sizeBytes), opts) }));
}

/** The names of the quantisations that can run with these options. */
export function quantsThatFit(shape: CatalogueShape, catalogue: readonly QuantFile[], opts: PlanOptions): string[] {
  return planQuants(shape, catalogue, opts)
    .filter((q) => q.plan.fits)
    .map((q) => q.quant.quant);
}

/**
 * The best quantisation that fits: the recommended one if it does, else the largest file that fits
 * (more bits, better replies); null when none fits.
 */
export function bestQuantThatFits(shape: CatalogueShape, catalogue: readonly QuantFile[], opts: PlanOptions): QuantPlan | null {
  const fitting = planQuants(shape, catalogue, opts).filter((q) => q.plan.fits);
  return fitting.find((q) => q.quant.recommended) ?? fitting.sort((a, b) => b.quant.sizeBytes - a.quant.sizeBytes)[0] ?? null;
}
