/** tools/vite-own-engine.ts: the own CPU engine's files, or null when the build had no emcc. */
declare module 'virtual:own-engine' {
  export const ownEngine: {
    js: string;
    wasm: string;
    worker: string;
    stJs: string;
    stWasm: string;
    key: string;
    llamaCpp: string;
    wasmBytes: number;
  } | null;
}
