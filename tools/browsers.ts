/**
 * The browsers the tests drive, all from Debian's packages (tests never download a browser):
 * Chromium through Playwright, Firefox ESR through puppeteer-core over WebDriver BiDi, and WebKitGTK
 * (Safari's engine) through WebKitWebDriver driving MiniBrowser under a virtual X display.
 */
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium';

export interface SystemBrowser {
  name: string;
  /** Files that must exist; the first one is what the tests start. */
  paths: string[];
  /** Debian packages that provide them. */
  packages: string[];
}

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER_PATH = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB_RUN_PATH = '/usr/bin/xvfb-run';

export const SYSTEM_BROWSERS: SystemBrowser[] = [
  { name: 'Chromium', paths: [chromiumPath()], packages: ['chromium'] },
  { name: 'Firefox ESR', paths: [FIREFOX_PATH], packages: ['firefox-esr'] },
  { name: 'WebKitGTK', paths: [WEBKIT_DRIVER_PATH, MINIBROWSER_PATH, XVFB_RUN_PATH], packages: ['webkit2gtk-driver', 'xvfb'] },
];

export const browserInstalled = (b: SystemBrowser): boolean => b.paths.every((p) => existsSync(p));
