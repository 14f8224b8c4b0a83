/** Where Debian's Chromium lives (CHROMIUM_PATH overrides). Tests never download a browser. */
import { existsSync } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
}

export const chromiumInstalled = (): boolean => existsSync(chromiumPath());

/** Flags for headless Chromium on this machine (GUIDE.md §5): quiet, no network side traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
