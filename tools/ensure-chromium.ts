/**
 * Makes sure the system Chromium the e2e tests drive is installed: as root on Debian it installs the
 * `chromium` package with apt; otherwise it prints the command to run and fails.
 */
import { execSync } from 'node:child_process';
import { chromiumInstalled, chromiumPath } from './chromium';

const COMMAND = 'apt-get update && apt-get install -y chromium';

if (!chromiumInstalled()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && !process.env.CHROMIUM_PATH) {
    console.log(`Chromium not found at ${chromiumPath()}; installing it: ${COMMAND}`);
    execSync(COMMAND, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!chromiumInstalled()) {
    console.error(`Chromium is needed for the browser tests and was not found at ${chromiumPath()}.`);
    console.error(`Install it with:  sudo ${COMMAND}   (or set CHROMIUM_PATH)`);
    process.exit(1);
  }
}
console.log(`Chromium: ${chromiumPath()}`);
