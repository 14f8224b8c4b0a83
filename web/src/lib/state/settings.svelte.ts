/** Generation settings the user can change, kept in localStorage between visits. */
import type { GenerateParams } from '../../../../workers/protocol';
import { clampParam, DEFAULT_PARAMS, PARAM_RANGES } from '../settings';

const KEY = 'starling-playground:settings:v1';

function load(): GenerateParams {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<GenerateParams> | null;
    if (!saved || typeof saved !== 'object') return { ...DEFAULT_PARAMS };
    const out: GenerateParams = { ...DEFAULT_PARAMS };
    for (const k of Object.keys(PARAM_RANGES) as (keyof typeof PARAM_RANGES)[]) {
      if (typeof saved[k] === 'number') out[k] = clampParam(k, saved[k]);
    }
    if (typeof saved.seed === 'number' && Number.isInteger(saved.seed) && saved.seed > 0) out.seed = saved.seed;
    return out;
  } catch {
    return { ...DEFAULT_PARAMS };
  }
}

export class SettingsState {
  params = $state<GenerateParams>(load());

  set(key: keyof typeof PARAM_RANGES, value: number): void {
    this.params[key] = clampParam(key, value);
    this.save();
  }

  setSeed(value: number | undefined): void {
    this.params.seed = value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
    this.save();
  }

  reset(): void {
    this.params = { ...DEFAULT_PARAMS };
    this.save();
  }

  private save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify($state.snapshot(this.params)));
    } catch {
      // storage may be unavailable (private mode, sandboxed iframe); settings then last for this visit
    }
  }
}
