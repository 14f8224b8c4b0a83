/**
 * Builds the tokenizer's vocabulary from a GGUF file's header (a Blob: a browser File, an IndexedDB
 * blob or Node's openAsBlob), with llama.cpp's defaults for the keys a file leaves out.
 */
import { blobSource, readGguf, type GgufValue } from '../gguf/walker';
import { buildVocab, type FimKind, type Vocab } from './vocab';

export interface GgufVocab {
  vocab: Vocab;
  chatTemplate: string | null;
  name: string | null;
  architecture: string | null;
}

const T = 'tokenizer.ggml.';
const ID_KEYS = {
  bosId: 'bos_token_id',
  eosId: 'eos_token_id',
  eotId: 'eot_token_id',
  eomId: 'eom_token_id',
  unkId: 'unknown_token_id',
} as const;
// Each FIM id, under its current key and the deprecated one llama.cpp also reads (which wins if both are there).
const FIM_KEYS: Record<FimKind, string[]> = {
  pre: ['fim_pre_token_id', 'prefix_token_id'],
  suf: ['fim_suf_token_id', 'suffix_token_id'],
  mid: ['fim_mid_token_id', 'middle_token_id'],
  pad: ['fim_pad_token_id'],
  rep: ['fim_rep_token_id'],
  sep: ['fim_sep_token_id'],
};

const WANTED = new Set(['general.name', 'general.architecture', 'tokenizer.chat_template']);
const wanted = (key: string): boolean => key.startsWith(T) || WANTED.has(key);

const str = (v: GgufValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: GgufValue | undefined): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
const bool = (v: GgufValue | undefined): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: GgufValue | undefined): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
const numbers = (v: GgufValue | undefined): ArrayLike<number> | undefined => {
  if (v === undefined || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
  return v as ArrayLike<number>;
};

export async function readGgufVocab(blob: Blob): Promise<GgufVocab> {
  const header = await readGguf(blobSource(blob), { keep: wanted });
  if (header.version < 2) throw new Error(`unsupported GGUF version ${header.version}`);
  const kv = header.kv;
  const model = str(kv.get(T + 'model'));
  if (model !== 'llama' && model !== 'gpt2') {
    throw new Error(model === undefined ? 'the GGUF has no tokenizer' : `tokenizer model "${model}" is not supported`);
  }
  const tokens = strings(kv.get(T + 'tokens'));
  if (!tokens) throw new Error('the GGUF has no token list');
  const merges = strings(kv.get(T + 'merges'));
  if (model === 'gpt2' && !merges) throw new Error('the GGUF has no BPE merges');

  const ids: Partial<Record<keyof typeof ID_KEYS, number>> = {};
  for (const [field, key] of Object.entries(ID_KEYS) as [keyof typeof ID_KEYS, string][]) ids[field] = num(kv.get(T + key));
  const fimIds: Partial<Record<FimKind, number>> = {};
  for (const [kind, keys] of Object.entries(FIM_KEYS) as [FimKind, string[]][]) {
    for (const key of keys) fimIds[kind] = num(kv.get(T + key)) ?? fimIds[kind];
  }

  const name = str(kv.get('general.name')) ?? null;
  const architecture = str(kv.get('general.architecture')) ?? null;
  const vocab = buildVocab({
    model,
    pre: str(kv.get(T + 'pre')),
    name: name ?? undefined,
    architecture: architecture ?? undefined,
    tokens,
    scores: numbers(kv.get(T + 'scores')),
    tokenTypes: numbers(kv.get(T + 'token_type')),
    merges,
    ...ids,
    fimIds,
    addBos: bool(kv.get(T + 'add_bos_token')),
    addEos: bool(kv.get(T + 'add_eos_token')),
    addSpacePrefix: bool(kv.get(T + 'add_space_prefix')),
  });
  return { vocab, chatTemplate: str(kv.get('tokenizer.chat_template')) ?? null, name, architecture };
}
