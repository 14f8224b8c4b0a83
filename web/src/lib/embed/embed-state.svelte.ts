/**
 * What the widget shell (Embed.svelte) shows about the embedding itself: its parameters, whether the
 * host page's API is on, and why not. The bridge (bridge.ts) and the allowlist check set it.
 */
import { getContext } from 'svelte';
import type { EmbedParams } from './embed-params';

export type ApiState =
  /** No `parent=`: a person can chat, no page can drive the widget. */
  | 'off'
  /** Reading the deployer's allowlist (embed-config.json). */
  | 'checking'
  /** Listening to messages from `parent`. */
  | 'on'
  /** The host is not allowed here (or the allowlist could not be read): a notice says why. */
  | 'refused';

export class EmbedState {
  readonly params: EmbedParams;
  api = $state<ApiState>('off');
  /** A short sentence for the frame (why the API is off or refused; a parameter that was ignored). */
  notice = $state<string | null>(null);

  constructor(params: EmbedParams) {
    this.params = params;
    this.api = params.parent ? 'checking' : 'off';
    this.notice = params.problems.length > 0 ? params.problems.join(' ') : null;
  }

  refuse(why: string): void {
    this.api = 'refused';
    this.notice = why;
  }
}

const KEY = Symbol('starling-embed');

/** The embedding's state, from the widget shell's context. */
export const getEmbedState = (): EmbedState => getContext<EmbedState>(KEY);

/** The context map to mount the widget with (beside the session's). */
// Handed to mount() once, never rendered: a plain Map on purpose.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
export const embedContext = (s: EmbedState): Map<symbol, EmbedState> => new Map([[KEY, s]]);
