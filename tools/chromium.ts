/** Where Debian's Chromium lives (CHROMIUM_PATH overrides). Tests never download a browser. */
import { existsSync } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
}

export const chromiumInstalled = (): boolean => existsSync(chromiumPath());
