import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  // The state classes (web/src/lib/**/*.svelte.ts) use runes: compiled by Svelte, for the browser.
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  resolve: { alias: { $workers: fileURLToPath(new URL('./workers', import.meta.url)) }, conditions: ['browser'] },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup-no-network.ts'],
    testTimeout: 60_000,
    // beforeAll hooks generate test models and load native llama.cpp: seconds, more on a busy machine.
    hookTimeout: 120_000,
  },
});
