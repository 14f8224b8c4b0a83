/**
 * Makes sure the system browsers the e2e tests drive are installed (tools/browsers.ts): as root on
 * Debian it installs the missing packages with apt; otherwise it prints the command to run and fails.
 */
import { execSync } from 'node:child_process';
import { browserInstalled, SYSTEM_BROWSERS } from './browsers';

const missing = () => SYSTEM_BROWSERS.filter((b) => !browserInstalled(b));
const packages = () => missing().flatMap((b) => b.packages);
const command = () => `apt-get update && apt-get install -y ${packages().join(' ')}`;

if (missing().length) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && !process.env.CHROMIUM_PATH && !process.env.FIREFOX_PATH) {
    console.log(`Installing the browsers the tests drive: ${command()}`);
    execSync(command(), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (missing().length) {
    for (const b of missing()) console.error(`${b.name} is needed for the browser tests and was not found (${b.paths.join(', ')}).`);
    console.error(`Install with:  sudo ${command()}`);
    process.exit(1);
  }
}
console.log(`Browsers: ${SYSTEM_BROWSERS.map((b) => `${b.name} (${b.paths[0]})`).join(', ')}`);
