/**
 * The model catalogue, from the seed model cards: Starling-LM-7B-alpha in all twelve quantisations
 * (sizes and RAM from TheBloke's table; Q4_K_M is the card's recommendation), Starling-LM-7B-beta,
 * OpenChat 3.5, and StarChat-beta, whose only quantisations in the seeds are legacy GGML `.bin`
 * files that llama.cpp cannot load (listed, refused with the reason). Sizes use GB = 10^9 bytes.
 * The library lists it and the memory planner judges each file from it, so both read one table.
 */
import type { CatalogueShape, QuantFile } from './planner/quant-fit';

export interface CatalogFile extends QuantFile {
  /** hf:<owner>/<repo>/<file> */
  spec: string;
  /** "Max RAM required" from the card (for llama.cpp on a PC, not the browser). */
  ramBytes: number | null;
  note: string;
  /** Why the app cannot use this file, if it cannot. */
  refused?: string;
}

export interface CatalogModel {
  id: string;
  name: string;
  description: string;
  card: string;
  /** Architecture facts the memory planner needs before any download. */
  shape: CatalogueShape;
  files: CatalogFile[];
}

const GB = 1e9;

/** Starling-LM-7B = Mistral-7B: dim 4096, 32 layers, 32 heads, 8 KV heads, ff 14336, ctx 8192. */
const MISTRAL_7B: CatalogueShape = {
  blockCount: 32,
  embeddingLength: 4096,
  headCount: 32,
  headCountKv: 8,
  vocabSize: 32002,
  feedForwardLength: 14336,
  contextLength: 8192,
};

const alpha = (quant: string, size: number, ram: number, note: string, recommended = false): CatalogFile => ({
  quant,
  spec: `hf:TheBloke/Starling-LM-7B-alpha-GGUF/starling-lm-7b-alpha.${quant}.gguf`,
  sizeBytes: size * GB,
  ramBytes: ram * GB,
  note,
  recommended,
});

/** Starling-LM-7B-alpha: the card's full table of quantisations, the planner's reference model. */
export const STARLING_7B_ALPHA: CatalogModel = {
  id: 'starling-lm-7b-alpha',
  name: 'Starling-LM-7B-alpha',
  description: 'Berkeley-Nest’s RLAIF-tuned OpenChat 3.5 (Mistral-7B). MT-Bench 8.09.',
  card: 'https://huggingface.co/TheBloke/Starling-LM-7B-alpha-GGUF',
  shape: MISTRAL_7B,
  files: [
    alpha('Q2_K', 3.08, 5.58, 'smallest, significant quality loss - not recommended for most purposes'),
    alpha('Q3_K_S', 3.16, 5.66, 'very small, high quality loss'),
    alpha('Q3_K_M', 3.52, 6.02, 'very small, high quality loss'),
    alpha('Q3_K_L', 3.82, 6.32, 'small, substantial quality loss'),
    alpha('Q4_0', 4.11, 6.61, 'legacy; small, very high quality loss - prefer using Q3_K_M'),
    alpha('Q4_K_S', 4.14, 6.64, 'small, greater quality loss'),
    alpha('Q4_K_M', 4.37, 6.87, 'medium, balanced quality - recommended', true),
    alpha('Q5_0', 5.0, 7.5, 'legacy; medium, balanced quality - prefer using Q4_K_M'),
    alpha('Q5_K_S', 5.0, 7.5, 'large, low quality loss - recommended'),
    alpha('Q5_K_M', 5.13, 7.63, 'large, very low quality loss - recommended'),
    alpha('Q6_K', 5.94, 8.44, 'very large, extremely low quality loss'),
    alpha('Q8_0', 7.7, 10.2, 'very large, extremely low quality loss - not recommended'),
  ],
};

export const CATALOG: CatalogModel[] = [
  STARLING_7B_ALPHA,
  {
    id: 'starling-lm-7b-beta',
    name: 'Starling-LM-7B-beta',
    description: 'Nexusflow’s PPO-tuned Openchat-3.5-0106 with the Starling-RM-34B reward model. Same template as alpha.',
    card: 'https://huggingface.co/bartowski/Starling-LM-7B-beta-GGUF',
    shape: MISTRAL_7B,
    // Same architecture as alpha, so the same quantisations have (nearly) the same sizes; the exact
    // size is read from the server before the download starts.
    files: [
      { quant: 'Q3_K_M', spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q3_K_M.gguf', sizeBytes: 3.52 * GB, ramBytes: null, note: 'very small, high quality loss' },
      { quant: 'Q4_K_M', spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q4_K_M.gguf', sizeBytes: 4.37 * GB, ramBytes: null, note: 'medium, balanced quality - recommended', recommended: true },
      { quant: 'Q5_K_M', spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q5_K_M.gguf', sizeBytes: 5.13 * GB, ramBytes: null, note: 'large, very low quality loss' },
      { quant: 'Q8_0', spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q8_0.gguf', sizeBytes: 7.7 * GB, ramBytes: null, note: 'very large, extremely low quality loss' },
    ],
  },
  {
    id: 'openchat-3.5',
    name: 'OpenChat 3.5',
    description: 'The base Starling was tuned from (C-RLFT, Mistral-7B). Same template.',
    card: 'https://huggingface.co/TheBloke/openchat_3.5-GGUF',
    shape: MISTRAL_7B,
    files: [
      { quant: 'Q3_K_M', spec: 'hf:TheBloke/openchat_3.5-GGUF/openchat_3.5.Q3_K_M.gguf', sizeBytes: 3.52 * GB, ramBytes: 6.02 * GB, note: 'very small, high quality loss' },
      { quant: 'Q4_K_M', spec: 'hf:TheBloke/openchat_3.5-GGUF/openchat_3.5.Q4_K_M.gguf', sizeBytes: 4.37 * GB, ramBytes: 6.87 * GB, note: 'medium, balanced quality - recommended', recommended: true },
    ],
  },
  {
    id: 'starchat-beta',
    name: 'StarChat-beta',
    description: 'HuggingFaceH4’s coding assistant (StarCoderBase 15.5B). Its published files are legacy GGML.',
    card: 'https://huggingface.co/TheBloke/starchat-beta-GGML',
    shape: { blockCount: 40, embeddingLength: 6144, headCount: 48, headCountKv: 1, vocabSize: 49156, feedForwardLength: 24576, contextLength: 8192 },
    files: (
      [
        ['q4_0', 10.75],
        ['q4_1', 11.92],
        ['q5_0', 13.09],
        ['q5_1', 14.26],
        ['q8_0', 20.11],
      ] as const
    ).map(([q, size]) => ({
      quant: q.toUpperCase(),
      spec: `hf:TheBloke/starchat-beta-GGML/starchat-beta.ggmlv3.${q}.bin`,
      sizeBytes: size * GB,
      ramBytes: null,
      note: 'GGML v3',
      refused:
        'GGML (.bin) is the pre-GGUF format; llama.cpp dropped it in August 2023 and cannot load it. Open a GGUF conversion of StarChat-beta by URL instead.',
    })),
  },
];
