/**
 * Generates the models the built app serves (the offline demo model) into public/models/.
 * Run by `npm run build`; nothing generated here is committed.
 */
import { fileURLToPath } from 'node:url';
import { ensureModel } from './models/catalog';

const dir = fileURLToPath(new URL('../public/models', import.meta.url));
const t0 = performance.now();
const path = ensureModel('demo', dir);
console.log(`demo model: ${path} (${Math.round(performance.now() - t0)} ms)`);
