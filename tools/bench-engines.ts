/**
 * Per browser engine, as a first visitor gets it: the llama.cpp build, threads, time to Ready and
 * tok/s of the 134M bench model, downloaded, then reopened from the cache in a new tab. Uses the
 * cross-engine drivers (tests/engines/drivers.ts); serve the built app first with
 * `npx vite preview --port 4199`. `npx tsx tools/bench-engines.ts [chromium,firefox,webkit]`.
 */
import { openEngine, type EngineName } from '../tests/engines/drivers';
import { genStats, send, waitFor, waitForReady, waitForReply } from '../tests/engines/fixtures';
import { startModelServer } from '../tests/fixtures/model-server';
import { TEST_MODEL_DIR, testModel } from '../tests/fixtures/test-models';
const bench = testModel('bench134mQ8'); // generated once into .cache/test-models
const server = await startModelServer(TEST_MODEL_DIR);
try {
  for (const engine of (process.argv[2] ?? 'chromium,firefox,webkit').split(',') as EngineName[]) {
    const d = await openEngine(engine);
    const url = `http://127.0.0.1:4199/?model=${encodeURIComponent(`${server.url}/models/${bench.file}`)}`;
    for (const round of ['download', 'from cache']) {
      const t0 = Date.now();
      if (round === 'download') await d.goto(url); else await d.reopen(url);
      await waitForReady(d, 900_000);
      const ready = Date.now() - t0;
      await send(d, 'Tell me a story about a fox.');
      await waitForReply(d, 1, 600_000);
      const s = await genStats(d);
      const note = await waitFor<string>(d, `(document.querySelector('[data-testid=gen-stats]')?.textContent ?? '').trim().slice(0, 200)`, () => true, 'stats');
      console.log(`${engine} ${round}: ready in ${(ready / 1000).toFixed(1)} s; build ${s.build}, ${s.threads} threads; prompt ${s.promptTps} tok/s, generation ${s.genTps} tok/s | ${note}`);
    }
    await d.close();
  }
} finally {
  await server.close();
}
