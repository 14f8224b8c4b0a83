/**
 * Installs the native llama.cpp reference (tests/native: node-llama-cpp with its prebuilt Linux x64
 * binaries) when it is missing, so `npm test` works on a fresh clone. Optional packages (CUDA,
 * Vulkan, other platforms) are left out and nothing is downloaded besides npm packages.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../tests/native', import.meta.url));

if (existsSync(join(dir, 'node_modules', 'node-llama-cpp', 'package.json'))) process.exit(0);

// Not `npm ci`: the registry here lacks some of node-llama-cpp's optional platform packages (mac,
// win, riscv64), so the lock file cannot list them and `npm ci` refuses it as out of sync. `npm
// install --no-save` installs exactly the locked tree and leaves package-lock.json alone.
console.log('Installing the native llama.cpp reference in tests/native (npm install --omit=optional)...');
execFileSync('npm', ['install', '--omit=optional', '--no-save', '--no-audit', '--no-fund'], {
  cwd: dir,
  stdio: 'inherit',
  env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' },
});
