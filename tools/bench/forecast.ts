/** The speed forecast in the bench: the app's own calibration, read from a page, against measured speed. */
import type { Page } from '@playwright/test';
import { PREF_KEYS } from '../../web/src/lib/local-prefs';
import { forecastSpeed, headerWeights, type SpeedCalibration, type SpeedForecast } from '../../workers/lib/planner/speed-forecast';
import type { GgufHeaderInfo } from '../../workers/lib/planner/header-info';

/** Opens the catalogue (which calibrates once a model is ready), waits for it, and reads what the app kept. */
export async function calibrateInPage(page: Page, timeoutMs = 120_000): Promise<SpeedCalibration> {
  await page.getByTestId('model-picker-toggle').click();
  const status = page.getByTestId('forecast-status');
  await page.locator('[data-testid=forecast-status]:is([data-state=ready], [data-state=error])').waitFor({ timeout: timeoutMs });
  if ((await status.getAttribute('data-state')) === 'error') throw new Error(`the calibration failed: ${await status.textContent()}`);
  const saved = await page.evaluate((k) => localStorage.getItem(k), PREF_KEYS.speed);
  await page.keyboard.press('Escape');
  if (!saved) throw new Error('the app kept no calibration');
  return JSON.parse(saved) as SpeedCalibration;
}

export interface ForecastCheck {
  forecast: SpeedForecast | null;
  measured: { promptTps: number; genTps: number };
  /** forecast / measured. */
  promptRatio: number | null;
  genRatio: number | null;
}

export function checkForecast(cal: SpeedCalibration, info: GgufHeaderInfo, measured: { promptTps: number; genTps: number }): ForecastCheck {
  const forecast = forecastSpeed(cal, headerWeights(info));
  return {
    forecast,
    measured,
    promptRatio: forecast && measured.promptTps > 0 ? forecast.promptTps / measured.promptTps : null,
    genRatio: forecast && measured.genTps > 0 ? forecast.genTps / measured.genTps : null,
  };
}

export const describeForecast = (c: ForecastCheck): string => {
  const f = c.forecast;
  if (!f) return 'no forecast (a weight type without calibration)';
  const pct = (r: number | null): string => (r === null ? '-' : `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(0)}%`);
  return `prompt ${f.promptTps.toFixed(2)} tok/s forecast, ${c.measured.promptTps.toFixed(2)} measured (${pct(c.promptRatio)}); ` +
    `generation ${f.genTps.toFixed(2)} forecast, ${c.measured.genTps.toFixed(2)} measured (${pct(c.genRatio)}); target within ±25%`;
};
