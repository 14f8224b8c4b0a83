/** tools/vite-own-engine.ts: the own CPU engine's files (own/module.ts's OwnEngineFiles), or null when the build had no emcc. */
declare module 'virtual:own-engine' {
  export const ownEngine: (import('../workers/lib/engine/own/module').OwnEngineFiles & { wasmBytes: number }) | null;
}

/** tools/vite-own-engine.ts: the own engine's build key alone (null without one), for the page. */
declare module 'virtual:own-engine-key' {
  export const ownEngineKey: string | null;
}
