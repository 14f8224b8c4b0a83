declare module 'mistral-tokenizer-js' {
  /** The package's default export: Mistral's SentencePiece vocabulary, in id order, and a toy encoder. */
  const mistralTokenizer: {
    vocabById: string[];
    vocabByString: Map<string, number>;
    encode(text: string, addBos?: boolean, addPrecedingSpace?: boolean): number[];
    decode(ids: number[], addBos?: boolean, addPrecedingSpace?: boolean): string;
  };
  export default mistralTokenizer;
}
