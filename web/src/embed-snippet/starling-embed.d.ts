/**
 * Types for embed.js, the Starling Playground widget's embed snippet (shipped as dist/embed.d.ts):
 *
 *   <script src="https://starling.example/embed.js"></script>
 *   const w = Starling.mount('#chat', { model: 'hf:owner/repo/model.gguf' });
 *   for await (const piece of w.run({ prompt: 'Hello', stream: true })) out.textContent += piece;
 *
 * Self-contained on purpose (a host copies one file). The message shapes repeat the widget's
 * protocol (web/src/lib/embed/protocol.ts); types-agree.ts makes tsc fail when the two drift apart.
 */

export type Role = 'system' | 'user' | 'assistant';

/** A run's input: the hosted starling-lm-7b-beta API's schema (exactly one of `prompt` and `messages`). */
export interface RunInput {
  /** 1–6144 characters; the model card's template is applied unless `raw` is true. */
  prompt?: string;
  /** With `prompt` only: send it as it is, with no template (special-token text is parsed). */
  raw?: boolean;
  /** The whole conversation, oldest first, ending with a user message; each content ≤ 6144 characters. */
  messages?: { role: Role; content: string }[];
  /** Default false. True: the run yields each piece as it is generated (`for await`). */
  stream?: boolean;
  /** Default 256, at least 1 and at most the model's context. */
  max_tokens?: number;
  /** 0–5 (default 0). */
  temperature?: number;
  /** 0–2 (default 0.95). */
  top_p?: number;
  /** Whole number 1–50 (default 40). */
  top_k?: number;
  /** Whole number 1–9999999999 (default: random). */
  seed?: number;
  /** 0–2 (default 1). */
  repetition_penalty?: number;
  /** 0–2 (default 0). */
  frequency_penalty?: number;
  /** 0–2 (default 0). */
  presence_penalty?: number;
}

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The model the widget has ready (again after each model change). */
export interface ReadyInfo {
  model: string;
  backend: 'cpu' | 'webgpu';
  /** 1 where the widget's frame is not cross-origin isolated (no SharedArrayBuffer). */
  threads: number;
  ctx: number;
}

/** What a finished run resolves to. */
export interface RunResult {
  response: string;
  usage: Usage;
  finish_reason: FinishReason;
}

/**
 * A failed request. `kind`: invalid-input (`field` names the input field at fault), invalid-message,
 * busy, no-model, unknown-run, destroyed (the widget was removed), or one of the app's error kinds
 * (context-full, worker-crashed, generation-failed, …).
 */
export interface StarlingError extends Error {
  readonly kind: string;
  readonly field?: string;
}

export interface MountOptions {
  /** A GGUF URL, or `hf:<owner>/<repo>/<file>`; default: the app's bundled demo model. */
  model?: string;
  /** The system prompt a new conversation starts with. */
  system?: string;
  theme?: 'light' | 'dark' | 'auto';
  /** A hex colour: #rgb, #rrggbb (with or without alpha). */
  accent?: string;
  /** The widget bar's title, and the frame's accessible name. */
  title?: string;
  /** 'none': no chat is drawn; the frame is hidden and serves the API only. Default 'chat'. */
  ui?: 'chat' | 'none';
  backend?: 'auto' | 'cpu' | 'webgpu';
  threads?: number;
  ctx?: number;
  /** The frame's height in CSS pixels until the widget reports its content's (default 480). */
  height?: number;
  /**
   * The most the frame grows to, in CSS pixels (default: no limit). The widget reports the height of
   * its whole conversation; past this height the conversation scrolls inside the frame.
   */
  maxHeight?: number;
  /** The widget page's URL; default: embed.html beside embed.js. */
  src?: string;
}

/**
 * One run: await it for the result, or iterate it for the text pieces (all of them, from the first,
 * whenever iteration starts; a run without `stream` yields its whole response once). Either way it
 * rejects/throws a StarlingError when the run fails; a cancelled run resolves with finish_reason
 * 'cancelled'.
 */
export interface Run extends Promise<RunResult>, AsyncIterable<string> {
  readonly id: string;
  cancel(): void;
}

export interface WidgetEvents {
  ready: ReadyInfo;
  resize: { height: number };
  /** An error the widget sent for no request of this widget (e.g. a message it could not read). */
  error: StarlingError;
}

export interface Widget {
  readonly frame: HTMLIFrameElement;
  /**
   * Resolves on the widget's first starling:ready (rejects, kind 'destroyed', if the widget is
   * removed first). Calls made before it are queued until then, and are sent then.
   */
  readonly ready: Promise<ReadyInfo>;
  /** The latest ready info, or null before the first. */
  readonly info: ReadyInfo | null;
  /** Starts a run; runs sent while one runs wait their turn in the widget (first in, first out). */
  run(input: RunInput): Run;
  /** Cancels every run of this widget, running or waiting. */
  cancel(): void;
  /** The model's token ids for `text` (`raw`: special-token text is parsed, as a raw prompt does). */
  tokenize(text: string, options?: { raw?: boolean }): Promise<number[]>;
  /** Calls `listener` on each event; returns a function that stops it. */
  on<K extends keyof WidgetEvents>(event: K, listener: (value: WidgetEvents[K]) => void): () => void;
  /** Removes the frame and its listener; pending requests reject with kind 'destroyed'. */
  destroy(): void;
}

export interface StarlingApi {
  /** Mounts a widget into `el` (an element, or a selector for one), appended as its last child. */
  mount(el: HTMLElement | string, options?: MountOptions): Widget;
}

declare global {
  interface Window {
    Starling: StarlingApi;
  }
  // A classic script's global: `Starling.mount(...)` works without `window.` (a global needs `var`).
  var Starling: StarlingApi;
}
