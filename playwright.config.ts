import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './tools/chromium';
import type { EngineName } from './tests/engines/drivers';

const port = Number(process.env.E2E_PORT ?? 4180);

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no per-test options; the worker option picks the engine
export default defineConfig<{}, { engine: EngineName }>({
  globalSetup: './tests/e2e/global-setup.ts',
  // Two cores: one browser at a time keeps wllama's threads honest and timings meaningful (running
  // Firefox ESR and WebKitGTK side by side was measured: 3.0 min against 3.1 min one after the other).
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    },
    // Recording a trace for every test cost a third of the e2e time here (template + planner specs:
    // 54.6 s with, 36.6 s without); E2E_TRACE=1 keeps one for each failure when debugging.
    trace: process.env.E2E_TRACE ? 'retain-on-failure' : 'off',
  },
  // The bulk runs in Chromium (tests/e2e); the scenarios in tests/engines run in every engine, each
  // from Debian's packages: Chromium (Playwright), Firefox ESR (puppeteer-core over WebDriver BiDi),
  // WebKitGTK (WebKitWebDriver + MiniBrowser). `--project firefox-esr` runs one engine.
  projects: [
    // The service worker precaches 34 MB (wasm, demo model) in each fresh context: tests not about it
    // block it (measured: about +130 s over the suite); the specs about it set serviceWorkers: 'allow'.
    // The 1.45 GB cache round (about 45-50 s) runs with `npm run test:large`: with it, a clean clone's
    // `npm test` reached 896 s of CI's 900 on a slow run of this machine.
    { name: 'chromium', testDir: 'tests/e2e', testIgnore: process.env.LARGE_CACHE ? [] : ['**/large-cache.spec.ts'], use: { serviceWorkers: 'block' } },
    // Not in `npm test` (tests/e2e covers these scenarios in Chromium); run with --project chromium-engine.
    { name: 'chromium-engine', testDir: 'tests/engines', use: { engine: 'chromium' } },
    // One retry, in Firefox ESR only: its first load of a clean clone's run once never became ready nor
    // failed in 120 s (2026-12-07; six runs of the same test right after all passed in 6-7 s). The
    // report marks a test that passed on its retry as flaky, and the closing notes track the stall.
    { name: 'firefox-esr', testDir: 'tests/engines', use: { engine: 'firefox' }, retries: 1 },
    { name: 'webkitgtk', testDir: 'tests/engines', use: { engine: 'webkit' } },
  ],
  webServer: {
    // E2E_DIST serves another build folder (e.g. to test one build while dist/ is rebuilt).
    command: `npx vite preview --port ${port} --strictPort${process.env.E2E_DIST ? ` --outDir ${process.env.E2E_DIST}` : ''}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
