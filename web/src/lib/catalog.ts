/** Transitional: the catalogue lives in workers/lib/catalog.ts; remove once App.svelte imports it from there. */
export { CATALOG } from '$workers/lib/catalog';
