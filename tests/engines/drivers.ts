/**
 * One small interface over the three ways the tests drive a real browser engine: Playwright for
 * Chromium, puppeteer-core over WebDriver BiDi for Firefox ESR, and selenium-webdriver talking to
 * WebKitWebDriver (which starts MiniBrowser, WebKitGTK's browser) for Safari's engine. Each session
 * is a fresh browser with empty storage. Scenarios use only these verbs, so they run the same in all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from '@playwright/test';
import puppeteer from 'puppeteer-core';
import { Builder, By, type WebDriver } from 'selenium-webdriver';
import { CHROMIUM_ARGS, chromiumPath } from '../../tools/chromium';
import { FIREFOX_PATH, MINIBROWSER_PATH, WEBKIT_DRIVER_PATH, XVFB_RUN_PATH } from '../../tools/browsers';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export interface EngineDriver {
  readonly engine: EngineName;
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /**
   * Opens `url` as a returning visitor would: a new tab in the same browser (same storage), with the
   * old tab closed. Firefox ESR runs generation far slower after navigating the same tab away from a
   * page that had a model loaded (README, Known limits), so a new tab is what is tested there.
   */
  reopen(url: string): Promise<void>;
  /** Evaluates a JavaScript expression in the page; its value must be JSON-serialisable. */
  evaluate<T>(expression: string): Promise<T>;
  /** Types text into the element with this data-testid, as a user would (key by key). */
  type(testId: string, text: string): Promise<void>;
  click(testId: string): Promise<void>;
  close(): Promise<void>;
}

const css = (testId: string): string => `[data-testid="${testId}"]`;

async function openChromium(): Promise<EngineDriver> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  let page = await context.newPage();
  return {
    engine: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    reopen: async (url) => {
      const next = await context.newPage();
      await page.close();
      page = next;
      await page.goto(url);
    },
    evaluate: async <T>(expression: string) => (await page.evaluate(expression)) as T,
    type: (testId, text) => page.locator(css(testId)).pressSequentially(text),
    click: (testId) => page.locator(css(testId)).click(),
    close: () => browser.close(),
  };
}

async function openFirefox(): Promise<EngineDriver> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true });
  let page = await browser.newPage();
  return {
    engine: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    reopen: async (url) => {
      const next = await browser.newPage();
      await page.close();
      page = next;
      await page.goto(url);
    },
    // A string, not a function: tsx would add its own helpers to a function's source.
    evaluate: async <T>(expression: string) => (await page.evaluate(expression)) as T,
    type: (testId, text) => page.type(css(testId), text),
    click: (testId) => page.click(css(testId)),
    close: () => browser.close(),
  };
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A running WebKitWebDriver under xvfb-run, started for one session. */
interface WebKitDriverServer {
  url: string;
  stop(): void;
}

async function startWebKitDriver(): Promise<WebKitDriverServer> {
  const port = await freePort();
  // Its own process group, so stopping it also stops Xvfb and any MiniBrowser left behind.
  const child: ChildProcess = spawn(XVFB_RUN_PATH, ['-a', WEBKIT_DRIVER_PATH, `--port=${port}`], { detached: true, stdio: 'ignore' });
  const stop = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`WebKitWebDriver did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}

/** Rejects after `ms`; the caller kills what it was waiting on. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

// MiniBrowser starts in 1-3 s here; once in a clean-clone CI run a new session never answered and the
// test's 6 minutes ran out in setup, so a session that has not started in this time is retried once
// with a fresh WebKitWebDriver (a server per session also means no session is left over from the last test).
const WEBKIT_SESSION_START_MS = 45_000;

async function startWebKitSession(): Promise<{ driver: WebDriver; server: WebKitDriverServer }> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const server = await startWebKitDriver();
    const session = new Builder()
      .usingServer(server.url)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
      })
      .build();
    try {
      return { driver: await within(Promise.resolve(session), WEBKIT_SESSION_START_MS, 'starting a MiniBrowser session'), server };
    } catch (e) {
      lastError = e;
      server.stop(); // also ends the hung request
      session.catch(() => undefined);
      console.warn(`webkit: attempt ${attempt} to start a session failed: ${String(e)}`);
    }
  }
  throw lastError;
}

async function openWebKit(): Promise<EngineDriver> {
  const { driver, server } = await startWebKitSession();
  return {
    engine: 'webkit',
    goto: (url) => driver.get(url),
    reopen: async (url) => {
      const old = await driver.getWindowHandle();
      await driver.switchTo().newWindow('tab');
      const next = await driver.getWindowHandle();
      await driver.switchTo().window(old);
      await driver.close();
      await driver.switchTo().window(next);
      await driver.get(url);
    },
    evaluate: async <T>(expression: string) => (await driver.executeScript(`return (${expression});`)) as T,
    type: async (testId, text) => driver.findElement(By.css(css(testId))).sendKeys(text),
    click: async (testId) => driver.findElement(By.css(css(testId))).click(),
    close: async () => {
      try {
        await within(driver.quit(), 15_000, 'ending the MiniBrowser session');
      } catch (e) {
        console.warn(`webkit: ${String(e)}`);
      } finally {
        server.stop();
      }
    },
  };
}

export function openEngine(engine: EngineName): Promise<EngineDriver> {
  if (engine === 'chromium') return openChromium();
  if (engine === 'firefox') return openFirefox();
  return openWebKit();
}
