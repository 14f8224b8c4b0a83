/**
 * The model catalogue, from the seed model cards: Starling-LM-7B-alpha in all twelve quantisations
 * (sizes and RAM from TheBloke's table; Q4_K_M is the card's recommendation), Starling-LM-7B-beta,
 * OpenChat 3.5, and StarChat-beta, whose only quantisations in the seeds are legacy GGML `.bin`
 * files that llama.cpp cannot load (listed, refused with the reason). Sizes use GB = 10^9 bytes.
 */

export interface CatalogFile {
  quant: string;
  bits: number;
  /** hf:<owner>/<repo>/<file> */
  spec: string;
  sizeBytes: number;
  /** "Max RAM required" from the card (for llama.cpp on a PC, not the browser). */
  ramBytes: number | null;
  note: string;
  recommended?: boolean;
  /** Why the app cannot use this file, if it cannot. */
  refused?: string;
  /** Published SHA-256, when the catalogue carries it (otherwise read from Hugging Face at download). */
  sha256?: string;
}

export interface CatalogModel {
  id: string;
  name: string;
  family: 'openchat' | 'starchat';
  description: string;
  card: string;
  /** Architecture facts the memory planner needs before any download. */
  shape: { layers: number; dim: number; heads: number; kvHeads: number; vocab: number; ctxTrain: number; ff: number };
  files: CatalogFile[];
}

const GB = 1e9;
const MISTRAL_7B = { layers: 32, dim: 4096, heads: 32, kvHeads: 8, vocab: 32002, ctxTrain: 8192, ff: 14336 };

const alpha = (quant: string, bits: number, size: number, ram: number, note: string, recommended = false): CatalogFile => ({
  quant,
  bits,
  spec: `hf:TheBloke/Starling-LM-7B-alpha-GGUF/starling-lm-7b-alpha.${quant}.gguf`,
  sizeBytes: size * GB,
  ramBytes: ram * GB,
  note,
  recommended,
});

export const CATALOG: CatalogModel[] = [
  {
    id: 'starling-lm-7b-alpha',
    name: 'Starling-LM-7B-alpha',
    family: 'openchat',
    description: 'Berkeley-Nest’s RLAIF-tuned OpenChat 3.5 (Mistral-7B). MT-Bench 8.09.',
    card: 'https://huggingface.co/TheBloke/Starling-LM-7B-alpha-GGUF',
    shape: MISTRAL_7B,
    files: [
      alpha('Q2_K', 2, 3.08, 5.58, 'smallest, significant quality loss - not recommended for most purposes'),
      alpha('Q3_K_S', 3, 3.16, 5.66, 'very small, high quality loss'),
      alpha('Q3_K_M', 3, 3.52, 6.02, 'very small, high quality loss'),
      alpha('Q3_K_L', 3, 3.82, 6.32, 'small, substantial quality loss'),
      alpha('Q4_0', 4, 4.11, 6.61, 'legacy; small, very high quality loss - prefer using Q3_K_M'),
      alpha('Q4_K_S', 4, 4.14, 6.64, 'small, greater quality loss'),
      alpha('Q4_K_M', 4, 4.37, 6.87, 'medium, balanced quality - recommended', true),
      alpha('Q5_0', 5, 5.0, 7.5, 'legacy; medium, balanced quality - prefer using Q4_K_M'),
      alpha('Q5_K_S', 5, 5.0, 7.5, 'large, low quality loss - recommended'),
      alpha('Q5_K_M', 5, 5.13, 7.63, 'large, very low quality loss - recommended'),
      alpha('Q6_K', 6, 5.94, 8.44, 'very large, extremely low quality loss'),
      alpha('Q8_0', 8, 7.7, 10.2, 'very large, extremely low quality loss - not recommended'),
    ],
  },
  {
    id: 'starling-lm-7b-beta',
    name: 'Starling-LM-7B-beta',
    family: 'openchat',
    description: 'Nexusflow’s PPO-tuned Openchat-3.5-0106 with the Starling-RM-34B reward model. Same template as alpha.',
    card: 'https://huggingface.co/bartowski/Starling-LM-7B-beta-GGUF',
    shape: MISTRAL_7B,
    // Same architecture as alpha, so the same quantisations have (nearly) the same sizes; the exact
    // size is read from the server before the download starts.
    files: [
      { quant: 'Q3_K_M', bits: 3, spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q3_K_M.gguf', sizeBytes: 3.52 * GB, ramBytes: null, note: 'very small, high quality loss' },
      { quant: 'Q4_K_M', bits: 4, spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q4_K_M.gguf', sizeBytes: 4.37 * GB, ramBytes: null, note: 'medium, balanced quality - recommended', recommended: true },
      { quant: 'Q5_K_M', bits: 5, spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q5_K_M.gguf', sizeBytes: 5.13 * GB, ramBytes: null, note: 'large, very low quality loss' },
      { quant: 'Q8_0', bits: 8, spec: 'hf:bartowski/Starling-LM-7B-beta-GGUF/Starling-LM-7B-beta-Q8_0.gguf', sizeBytes: 7.7 * GB, ramBytes: null, note: 'very large, extremely low quality loss' },
    ],
  },
  {
    id: 'openchat-3.5',
    name: 'OpenChat 3.5',
    family: 'openchat',
    description: 'The base Starling was tuned from (C-RLFT, Mistral-7B). Same template.',
    card: 'https://huggingface.co/TheBloke/openchat_3.5-GGUF',
    shape: MISTRAL_7B,
    files: [
      { quant: 'Q3_K_M', bits: 3, spec: 'hf:TheBloke/openchat_3.5-GGUF/openchat_3.5.Q3_K_M.gguf', sizeBytes: 3.52 * GB, ramBytes: 6.02 * GB, note: 'very small, high quality loss' },
      { quant: 'Q4_K_M', bits: 4, spec: 'hf:TheBloke/openchat_3.5-GGUF/openchat_3.5.Q4_K_M.gguf', sizeBytes: 4.37 * GB, ramBytes: 6.87 * GB, note: 'medium, balanced quality - recommended', recommended: true },
    ],
  },
  {
    id: 'starchat-beta',
    name: 'StarChat-beta',
    family: 'starchat',
    description: 'HuggingFaceH4’s coding assistant (StarCoderBase 15.5B). Its published files are legacy GGML.',
    card: 'https://huggingface.co/TheBloke/starchat-beta-GGML',
    shape: { layers: 40, dim: 6144, heads: 48, kvHeads: 1, vocab: 49156, ctxTrain: 8192, ff: 24576 },
    files: ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0'].map((q) => ({
      quant: q.toUpperCase(),
      bits: Number(q[1]),
      spec: `hf:TheBloke/starchat-beta-GGML/starchat-beta.ggmlv3.${q}.bin`,
      sizeBytes: ({ q4_0: 10.75, q4_1: 11.92, q5_0: 13.09, q5_1: 14.26, q8_0: 20.11 } as Record<string, number>)[q] * GB,
      ramBytes: null,
      note: 'GGML v3',
      refused:
        'GGML (.bin) is the pre-GGUF format; llama.cpp dropped it in August 2023 and cannot load it. Open a GGUF conversion of StarChat-beta by URL instead.',
    })),
  },
];

export const findCatalogFile = (spec: string): { model: CatalogModel; file: CatalogFile } | null => {
  for (const model of CATALOG) for (const file of model.files) if (file.spec === spec) return { model, file };
  return null;
};
