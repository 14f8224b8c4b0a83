/**
 * embed.js: the one-line embed snippet. A host page includes it with a plain
 * `<script src="https://starling.example/embed.js"></script>` and calls `Starling.mount(...)`.
 * It builds to one classic script (tools/vite-embed-snippet.ts wraps and checks it), so it imports
 * nothing at run time from the app: only its own files, and types.
 */
import { mountWidget } from './mount';
import type { StarlingApi } from './starling-embed';

// Read now: document.currentScript is only set while this script first runs. embed.html lies beside it.
const script = document.currentScript;
const defaultSrc = script instanceof HTMLScriptElement && script.src ? new URL('embed.html', script.src).href : null;

const api = {
  mount: (el, options = {}) => mountWidget(el, options, defaultSrc),
} satisfies StarlingApi;

// Assigned, not `??=`: an element with id="Starling" would otherwise stand in for it (named access on
// window). Included twice, the second copy replaces the first; widgets already mounted keep working.
window.Starling = api;
