import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { $workers: fileURLToPath(new URL('./workers', import.meta.url)) } },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup-no-network.ts'],
    testTimeout: 60_000,
    // beforeAll hooks generate test models and load native llama.cpp: seconds, more on a busy machine.
    hookTimeout: 120_000,
  },
});
