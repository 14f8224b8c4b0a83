/**
 * A rendered prompt that remembers which characters are message text. The tokenizer recognises
 * special tokens (`<|end_of_turn|>`, `</s>`, …) only in the template's own markup, so text a user
 * types or pastes, a system prompt, or a reply fed back as history can never forge a turn.
 */
export interface PromptText {
  text: string;
  /** [start, end) ranges of message text, in order. */
  plain: [number, number][];
}

/** Builds a PromptText from markup and message parts. */
export class PromptBuilder {
  #text = '';
  #plain: [number, number][] = [];

  /** Template markup: special-token text here is a special token. */
  markup(s: string): this {
    this.#text += s;
    return this;
  }

  /** Message text: never parsed for special tokens. */
  content(s: string): this {
    if (s.length > 0) this.#plain.push([this.#text.length, this.#text.length + s.length]);
    this.#text += s;
    return this;
  }

  build(): PromptText {
    return { text: this.#text, plain: this.#plain };
  }
}

/** All of the text is markup (a raw prompt: the user writes the template). */
export const markupOnly = (text: string): PromptText => ({ text, plain: [] });
