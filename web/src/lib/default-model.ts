/**
 * The model the app opens when no `?model=` is given: the scripted demo GGUF that the build
 * generates into public/models/ (tools/models/catalog.ts), served next to the app so it works offline.
 */
const DEFAULT_MODEL_FILE = 'starling-playground-demo.Q8_0.gguf';
export const DEFAULT_MODEL_PATH = `models/${DEFAULT_MODEL_FILE}`;
