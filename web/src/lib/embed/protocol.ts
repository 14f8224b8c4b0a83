/**
 * The widget's postMessage API (GUIDE.md §2, README "Embed it"), as types: the one definition the
 * widget's bridge (bridge.ts), the host-side snippet (web/src/embed-snippet/) and the tests share.
 * Its input follows the hosted starling-lm-7b-beta API's schema (seeds/004): `prompt` or `messages`,
 * with the same sampling fields, ranges and defaults (run-input.ts checks them).
 *
 * Types only, no runtime code: embed.js must build to one self-contained classic script, and a
 * value imported from here into both it and the app could become a shared chunk with imports.
 */

/** A host's name for one request; echoed in every answer to it. */
export type RequestId = string | number;

export type Role = 'system' | 'user' | 'assistant';

/** `input` of starling:run: the hosted API's schema (exactly one of `prompt` and `messages`). */
export interface RunInput {
  /** 1–6144 characters; the model card's template is applied unless `raw` is true. */
  prompt?: string;
  /** With `prompt` only: send it as it is, with no template (special-token text is parsed). */
  raw?: boolean;
  /** The whole conversation, oldest first, ending with a user message; each content ≤ 6144 characters. */
  messages?: { role: Role; content: string }[];
  /** Default false: only starling:done. True: a starling:token for each piece, then starling:done. */
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

/** Host → widget. */
export type HostMessage =
  | { type: 'starling:run'; id: RequestId; input: RunInput }
  | { type: 'starling:cancel'; id: RequestId }
  /** `raw` true parses special-token text (as a raw prompt does); default: the text is message text. */
  | { type: 'starling:tokenize'; id: RequestId; text: string; raw?: boolean };

/**
 * Why a request failed:
 *  - invalid-input: a run's input broke the schema (`field` names it, `message` says the rule);
 *  - invalid-message: not a well-formed API message (no id, unknown type, text not a string);
 *  - busy: the queue of waiting runs is full;
 *  - no-model: no model is ready (still loading, or it failed);
 *  - unknown-run: cancel for an id that is neither running nor waiting;
 *  - any of the app's error kinds (context-full, worker-crashed, generation-failed, …) from the engine.
 */
export interface WidgetError {
  kind: string;
  message: string;
  /** The input field at fault, for invalid-input (e.g. "temperature", "messages[2].role"). */
  field?: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Widget → host (posted only to the `parent=` origin). */
export type WidgetMessage =
  /** A model is ready (again after each model change). `threads` 1 where the frame is not isolated. */
  | { type: 'starling:ready'; model: string; backend: 'cpu' | 'webgpu'; threads: number; ctx: number }
  | { type: 'starling:token'; id: RequestId; response: string }
  | { type: 'starling:done'; id: RequestId; response: string; usage: Usage; finish_reason: FinishReason }
  | { type: 'starling:error'; id: RequestId | null; error: WidgetError }
  /** The widget's content height in CSS pixels, whenever it changes. */
  | { type: 'starling:resize'; height: number }
  | { type: 'starling:tokens'; id: RequestId; ids: number[] };
