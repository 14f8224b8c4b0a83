/**
 * The llama.cpp architectures built into the own engine (tools/engine-source.ts leaves the rest out of
 * the build), by GGUF `general.architecture`, with the llama.cpp source file that implements each.
 * Starling/OpenChat and every test model are llama; StarChat is starcoder. A model of any other
 * architecture is refused by the own build ("unsupported model architecture") and wllama loads it.
 */
export const OWN_ARCHS = { llama: 'llama.cpp', starcoder: 'starcoder.cpp' } as const;

/** The architecture named by llama.cpp's refusal of one the build leaves out, or null. */
export function notBuiltArch(message: string): string | null {
  return /unsupported model architecture: '([^']*)'/.exec(message)?.[1] ?? null;
}
