/**
 * Generation settings the user can change, kept in localStorage between visits when storage is
 * allowed (storage-access.ts: a blocked store throws on access; the settings then last this visit).
 * Every change goes through the checks in settings.ts: a refused value changes nothing, so what is
 * saved and sent is always a value the panel showed as valid.
 */
import type { GenerateParams } from '$workers/lib/engine/types';
import type { TemplateId } from '$workers/lib/templates/index';
import { DEFAULT_PARALLEL } from '$workers/lib/download/defaults';
import { checkParam, checkSeed, DEFAULT_PARAMS, PARAM_RANGES, validSaved, type Checked, type ParamKey } from '../settings';
import { loadPrefs, savePrefs, type EnginePrefs } from '../engine-prefs';
import { readPref, writePref } from '../local-prefs';

/** 'auto': the template that fits the loaded model's vocabulary (model-profile.ts). */
export type DefaultTemplate = TemplateId | 'auto';
const TEMPLATE_CHOICES: readonly DefaultTemplate[] = ['auto', 'openchat', 'starchat', 'raw', 'gguf'];

/** What a new conversation starts with, and how replies are shown. */
export interface ChatDefaults {
  /** false: a reply appears whole when it is done. */
  stream: boolean;
  defaultSystemPrompt: string;
  defaultTemplate: DefaultTemplate;
}

const DEFAULT_CHAT: ChatDefaults = { stream: true, defaultSystemPrompt: '', defaultTemplate: 'auto' };

function load(): GenerateParams {
  const saved = readPref('settings') as Partial<Record<keyof GenerateParams, unknown>> | null;
  if (!saved || typeof saved !== 'object') return { ...DEFAULT_PARAMS };
  const out: GenerateParams = { ...DEFAULT_PARAMS };
  for (const k of Object.keys(PARAM_RANGES) as ParamKey[]) {
    const v = saved[k];
    if (validSaved(k, v)) out[k] = v;
  }
  const seed = typeof saved.seed === 'number' ? checkSeed(String(saved.seed)) : null;
  if (seed?.ok) out.seed = seed.value;
  return out;
}

function loadChat(): ChatDefaults {
  const saved = readPref('chat') as Partial<Record<keyof ChatDefaults, unknown>> | null;
  if (!saved || typeof saved !== 'object') return { ...DEFAULT_CHAT };
  return {
    stream: typeof saved.stream === 'boolean' ? saved.stream : DEFAULT_CHAT.stream,
    defaultSystemPrompt: typeof saved.defaultSystemPrompt === 'string' ? saved.defaultSystemPrompt : '',
    defaultTemplate: TEMPLATE_CHOICES.includes(saved.defaultTemplate as DefaultTemplate) ? (saved.defaultTemplate as DefaultTemplate) : 'auto',
  };
}

function loadParallel(): number {
  // Stored as a bare number, which reads back as JSON.
  const n = readPref('downloads');
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8 ? n : DEFAULT_PARALLEL;
}

export class SettingsState {
  params = $state<GenerateParams>(load());
  /** Chunk requests a download runs at a time. */
  parallelDownloads = $state(loadParallel());
  /** Backend, GPU layers, threads and context size; they apply at the next model load. */
  engine = $state<EnginePrefs>(loadPrefs());
  #chat = $state<ChatDefaults>(loadChat());

  /** Streamed replies (true) or each reply shown whole once done (false). */
  get stream(): boolean {
    return this.#chat.stream;
  }
  /** The system prompt a new conversation starts with. */
  get defaultSystemPrompt(): string {
    return this.#chat.defaultSystemPrompt;
  }
  /** The template a new conversation starts with; 'auto' follows the loaded model. */
  get defaultTemplate(): DefaultTemplate {
    return this.#chat.defaultTemplate;
  }

  /**
   * The template a new conversation on this model starts with: the default chosen here, unless it is
   * 'auto' or the model cannot use it (the GGUF's own template needs one embedded in the file).
   */
  templateFor(modelDefault: TemplateId, hasChatTemplate: boolean): TemplateId {
    const chosen = this.#chat.defaultTemplate;
    return chosen === 'auto' || (chosen === 'gguf' && !hasChatTemplate) ? modelDefault : chosen;
  }

  setChatDefaults(patch: Partial<ChatDefaults>): void {
    this.#chat = { ...this.#chat, ...patch };
    writePref('chat', $state.snapshot(this.#chat));
  }

  setEngine(patch: Partial<EnginePrefs>): void {
    this.engine = { ...this.engine, ...patch };
    savePrefs($state.snapshot(this.engine));
  }

  setParallel(n: number): void {
    this.parallelDownloads = Math.min(8, Math.max(1, Math.round(Number.isFinite(n) ? n : DEFAULT_PARALLEL)));
    writePref('downloads', this.parallelDownloads);
  }

  /**
   * Applies a typed value when it passes the check; a refused one changes nothing (the last valid
   * value stays in effect) and the reason is returned for the panel to show.
   */
  set(key: ParamKey, raw: string, maxContext?: number): Checked<number> {
    const checked = checkParam(key, raw, maxContext);
    if (checked.ok) {
      this.params[key] = checked.value;
      this.save();
    }
    return checked;
  }

  setSeed(raw: string): Checked<number | undefined> {
    const checked = checkSeed(raw);
    if (checked.ok) {
      this.params.seed = checked.value;
      this.save();
    }
    return checked;
  }

  reset(): void {
    this.params = { ...DEFAULT_PARAMS };
    this.save();
  }

  private save(): void {
    // false when storage is blocked or full: the settings then last for this visit
    writePref('settings', $state.snapshot(this.params));
  }
}
