/**
 * Every generated model the project uses, by name: the demo model `npm start` serves and the models
 * the tests and benchmarks need. Each entry knows its file name and how to write it.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { detokenize } from '../../workers/lib/tokenizer/index';
import { shardName } from '../../workers/lib/model-source';
import { kv, writeGguf, writeGgufSparse, writeGgufSplit } from './gguf-writer';
import { bpeModelSpec, scriptedStarChatSpec } from './bpe-model';
import { llamaSpec, type LlamaShape } from './llama-model';
import { OLD_OPENCHAT_JINJA_TEMPLATE, openChatVocabKv } from './openchat-vocab';
import { GgmlType, Rng, type GgmlTypeId } from './quant';
import { byteTokenId, openChatTokenizerVocab, scriptedSpec, uniqueReplyIds } from './scripted';

/** What the default demo model answers, to anything. */
export const DEMO_REPLY =
  'Hello! I am a tiny offline demo running entirely in your browser, so my replies are scripted. For real answers, pick Starling-LM-7B from the model list. 🐦';

/** What the scripted StarChat-style model answers (a newline first, as StarChat writes after <|assistant|>). */
export const STARCHAT_REPLY = '\nHi from the StarChat test model.';

/**
 * A reply with a byte that is never valid UTF-8 (0xFF) between two plain parts: what a model with
 * byte tokens can emit. The engine must neither lose the reply nor stop the chat working.
 */
export const BAD_UTF8_REPLY_PARTS = ['Plain words first', 'then some trailing text'] as const;
export const badUtf8ReplyIds = (): number[] => [
  ...uniqueReplyIds(BAD_UTF8_REPLY_PARTS[0]),
  byteTokenId(0xff),
  ...uniqueReplyIds(BAD_UTF8_REPLY_PARTS[1]),
];

/** A long scripted reply: many distinct word pieces, for stop/cancel tests. */
export function longReplyIds(count = 600): number[] {
  const v = openChatTokenizerVocab();
  const ids: number[] = [];
  for (let id = 1000; id < 32000 && ids.length < count; id++) {
    if (/^\u2581[a-z]{4,}$/.test(v.tokens[id])) ids.push(id);
  }
  return ids;
}

/** The text a scripted reply shows in the chat (the engine's leading space trimmed). */
export const replyText = (ids: number[]): string => detokenize(openChatTokenizerVocab(), ids).trimStart();

/** ~134M parameters with the real OpenChat vocabulary: the benchmark model of GUIDE.md §5. */
export const BENCH_134M_SHAPE: LlamaShape = { vocab: 32002, dim: 768, layers: 12, heads: 12, kvHeads: 12, ff: 2048, ctx: 4096 };

/**
 * Random weights, except that the output rows of byte tokens and of the special tokens are zero:
 * greedy decoding then never picks them, so replies never end early and never contain invalid
 * UTF-8 (which wllama cannot stream; see wllama-host.ts). The output matrix needs an encoder for that,
 * so the K-quant models keep it in Q8_0 (real K-quant files keep it in Q6_K or Q8_0 too).
 */
const randomModel = (name: string, shape: LlamaShape, type: GgmlTypeId, outputType: GgmlTypeId = type) => (path: string) => {
  const rng = new Rng(7);
  const scale = 1 / Math.sqrt(shape.dim);
  return writeGguf(
    path,
    llamaSpec({
      name,
      shape,
      types: { embedding: type, output: outputType, layers: type },
      weights: (tensor) =>
        tensor === 'output.weight'
          ? (token, row) => {
              if (token > 258 && token < 32000) for (let i = 0; i < row.length; i++) row[i] = rng.nextSigned() * scale;
            }
          : 'random',
      vocabKv: openChatVocabKv(),
    }),
  );
};

export interface GeneratedModel {
  /** File name (for a gguf-split set, its first shard). */
  file: string;
  /** The exact reply text, for scripted models. */
  reply?: string;
  /** For random-weight models: how many greedy tokens every engine must agree on (engine-agree.spec.ts). */
  greedyAgree?: number;
  /** Writes the model at `path` (the first shard's path for a split set); returns bytes written. */
  write: (path: string) => number;
}

/** ~1.5 GB with random weights: the cache's multi-GB write/read test. */
export const BIG_1500M_SHAPE: LlamaShape = { vocab: 32002, dim: 2048, layers: 24, heads: 16, kvHeads: 16, ff: 5632, ctx: 4096 };

const SPLIT_PREFIX = 'demo-split';
const SPLIT_COUNT = 3;

/** The image and the code in RENDERING_REPLY, as the rendered reply must show and copy them. */
export const RENDERING_IMAGE_URL = 'http://localhost:9/logo';
export const RENDERING_CODE = 'def greet(name):\n    return "Hi " + name # says hello politely before every conversation begins';

/**
 * A Markdown reply for the rendering test. A scripted reply may use each token once and the
 * vocabulary has a single newline token, so most lines end with \r (CommonMark's other line end),
 * carried by tokens such as ":\r" and "\r\r"; the table's three pipes are three different tokens.
 */
export const RENDERING_REPLY =
  `Here is ![Starling logo](${RENDERING_IMAGE_URL}) and [docs](//example.com/guide) for Python:\r` +
  `\`\`\`python\r${RENDERING_CODE.replace('):\n', '):\r')}\n \`\`\`\r\r` +
  'Tool | Typed \r---|-\rmypy | yes';

export const MODELS = {
  demo: {
    file: 'starling-playground-demo.Q8_0.gguf',
    reply: DEMO_REPLY,
    write: (path: string) =>
      writeGguf(path, scriptedSpec({ name: 'Starling Playground demo (scripted)', reply: uniqueReplyIds(DEMO_REPLY) })),
  },
  long: {
    file: 'scripted-long.Q8_0.gguf',
    reply: replyText(longReplyIds()),
    write: (path: string) =>
      writeGguf(path, scriptedSpec({ name: 'Scripted long reply', reply: longReplyIds(), layers: 4 })),
  },
  /**
   * The long reply on one layer (9 times smaller): the engine scenarios' Stop test in Firefox and
   * WebKitGTK, where a load's time grows with the file (WebKit: about a minute for the 4-layer one).
   */
  longLight: {
    file: 'scripted-long-1layer.Q8_0.gguf',
    reply: replyText(longReplyIds()),
    write: (path: string) => writeGguf(path, scriptedSpec({ name: 'Scripted long reply (one layer)', reply: longReplyIds() })),
  },
  badUtf8: {
    file: 'demo-bad-utf8.Q8_0.gguf',
    write: (path: string) => writeGguf(path, scriptedSpec({ name: 'Scripted reply with an invalid UTF-8 byte', reply: badUtf8ReplyIds() })),
  },
  demoOldTemplate: {
    file: 'demo-old-template.Q8_0.gguf',
    reply: DEMO_REPLY,
    write: (path: string) =>
      writeGguf(
        path,
        scriptedSpec({ name: 'Demo with the older GPT4 User template', reply: uniqueReplyIds(DEMO_REPLY), chatTemplate: OLD_OPENCHAT_JINJA_TEMPLATE }),
      ),
  },
  demoSplit: {
    // The demo model as a gguf-split set, shards of at most 2 MiB.
    file: shardName(SPLIT_PREFIX, 1, SPLIT_COUNT),
    reply: DEMO_REPLY,
    write: (path: string) => {
      const prefix = path.slice(0, -shardName('', 1, SPLIT_COUNT).length);
      const paths = writeGgufSplit(prefix, scriptedSpec({ name: 'Demo split in shards', reply: uniqueReplyIds(DEMO_REPLY) }), 2 << 20);
      if (paths.length !== SPLIT_COUNT) throw new Error(`expected ${SPLIT_COUNT} shards, wrote ${paths.length}`);
      return paths.reduce((n, p) => n + statSync(p).size, 0);
    },
  },
  big1500m: {
    file: 'big-1500m.Q8_0.gguf',
    write: randomModel('Cache test 1.5 GB (random weights)', BIG_1500M_SHAPE, GgmlType.Q8_0),
  },
  /** The same header, zero weights in a sparse file: what the planner test needs, without writing 1.45 GB. */
  big1500mSparse: {
    file: 'big-1500m-zeros.Q8_0.gguf',
    write: (path: string) =>
      writeGgufSparse(path, llamaSpec({ name: 'Planner test 1.5 GB (zero weights)', shape: BIG_1500M_SHAPE, types: { embedding: GgmlType.Q8_0, output: GgmlType.Q8_0, layers: GgmlType.Q8_0 }, weights: () => 'random', vocabKv: openChatVocabKv() })),
  },
  demoNoEot: {
    // Like some conversions: EOS is </s> (2), no EOT key, no chat template.
    file: 'demo-eos-2.Q8_0.gguf',
    reply: DEMO_REPLY,
    write: (path: string) =>
      writeGguf(
        path,
        scriptedSpec({ name: 'Demo whose EOS is </s>', reply: uniqueReplyIds(DEMO_REPLY), chatTemplate: null, eosId: 2, eotId: null }),
      ),
  },
  starchat: {
    file: 'starchat-scripted.Q8_0.gguf',
    reply: STARCHAT_REPLY.trimStart(),
    write: (path: string) => writeGguf(path, scriptedStarChatSpec('StarChat-style scripted test model', STARCHAT_REPLY)),
  },
  bpe: {
    // GPT-2 byte-level BPE with StarChat's chat tokens (tokenizer.ggml.pre = starcoder), random weights.
    file: 'starchat-bpe-test.Q8_0.gguf',
    // How many greedy tokens the own engine, wllama and native llama.cpp must agree on. On random
    // weights their kernels round differently (the own engine's attention accumulates in F32 where
    // ggml's does in F16, engine/wasm_fa.h) and near-tied logits part the paths: measured after about 15.
    greedyAgree: 8,
    write: (path: string) => writeGguf(path, bpeModelSpec()),
  },
  bpeGqa: {
    // The same with grouped-query attention: 4 query heads per KV head, as Starling 7B has.
    file: 'starchat-bpe-gqa-test.Q8_0.gguf',
    // The own engine attends the heads in groups: own and native measured to agree on 5, to part within 8.
    greedyAgree: 5,
    write: (path: string) => writeGguf(path, bpeModelSpec({ name: 'StarChat-style BPE test model, grouped-query attention (random weights)', groupedHeads: 4 })),
  },
  bpeQ6K: {
    // The same in Q6_K (the output matrix and more of a Q4_K_M file), whose dot product the own engine
    // computes with its own kernel (engine/wasm_kquants.h), wllama with ggml's wasm one, native with
    // AVX2: all three agreed on all 64 tokens here (a 10-token prompt, and a 13-token one whose last
    // column has no partner); 32 leaves room for another CPU's native kernels.
    file: 'starchat-bpe-test.Q6_K.gguf',
    greedyAgree: 32,
    write: (path: string) => writeGguf(path, bpeModelSpec({ name: 'StarChat-style BPE test model, Q6_K (random weights)', weightType: GgmlType.Q6_K })),
  },
  bpeQ4K: {
    // The same in Q4_K, whose prompt products the own engine takes two rows by two columns
    // (engine/wasm_kquants.h and ggml's matrix product as tools/engine-source.ts edits it). Its output
    // matrix is Q8_0: random Q4_K blocks there made every engine repeat one token, which proves little.
    // On a 13-token prompt (six pairs of columns and a lone one) the three agreed on 63 of 64 tokens here.
    file: 'starchat-bpe-test.Q4_K.gguf',
    greedyAgree: 32,
    write: (path: string) =>
      writeGguf(path, bpeModelSpec({ name: 'StarChat-style BPE test model, Q4_K (random weights)', weightType: GgmlType.Q4_K, outputType: GgmlType.Q8_0 })),
  },
  bpeKMix: {
    // The same as a K-quant mix: Q3_K attention (the bench's 7B-shaped scale model's type), Q5_K gate and
    // up (a Q5_K_M file's main type) and Q2_K down, whose prompt products the own engine also takes two
    // rows by two columns; the Q2_K and Q5_K blocks centred as bpeQ4K's are (bpe-model.ts), the output
    // matrix Q8_0. Without Q2_K, on 'Hello, there!' wllama and native agreed on all 64 tokens here and the
    // own engine on about the first 50 (a near tie, where float sums in another order part greedy paths).
    file: 'starchat-bpe-test.K-mix.gguf',
    greedyAgree: 32,
    write: (path: string) =>
      writeGguf(
        path,
        bpeModelSpec({
          name: 'StarChat-style BPE test model, Q3_K attention, Q5_K gate and up, Q2_K down (random weights)',
          weightType: GgmlType.Q3_K,
          ffnType: GgmlType.Q5_K,
          ffnDownType: GgmlType.Q2_K,
          outputType: GgmlType.Q8_0,
        }),
      ),
  },
  demoUnknownArch: {
    // The demo model labelled with an architecture llama.cpp does not know: it refuses to load it.
    file: 'demo-arch-gpt5.Q8_0.gguf',
    write: (path: string) => {
      const spec = scriptedSpec({ name: 'Demo with an unknown architecture', reply: uniqueReplyIds(DEMO_REPLY) });
      return writeGguf(path, { ...spec, kv: { ...spec.kv, 'general.architecture': kv.str('gpt5') } });
    },
  },
  demoXverse: {
    // The demo model as architecture "xverse" (llama's tensors and keys under xverse.*): llama.cpp
    // knows it, the own engine's build leaves it out (workers/lib/engine/own/archs.ts), so wllama runs it.
    file: 'demo-arch-xverse.Q8_0.gguf',
    write: (path: string) => {
      const spec = scriptedSpec({ name: 'Demo as architecture xverse', reply: uniqueReplyIds(DEMO_REPLY) });
      const renamed = Object.fromEntries(Object.entries(spec.kv).map(([k, v]) => [k.startsWith('llama.') ? `xverse.${k.slice(6)}` : k, v]));
      return writeGguf(path, { ...spec, kv: { ...renamed, 'general.architecture': kv.str('xverse') } });
    },
  },
  demoMissingTensor: {
    // The demo model without one weight tensor: the bundled llama.cpp stops with "tensor 'blk.0.ffn_down.weight' not found".
    file: 'demo-missing-tensor.Q8_0.gguf',
    write: (path: string) => {
      const spec = scriptedSpec({ name: 'Demo with a missing tensor', reply: uniqueReplyIds(DEMO_REPLY) });
      return writeGguf(path, { ...spec, tensors: spec.tensors.filter((t) => t.name !== 'blk.0.ffn_down.weight') });
    },
  },
  bench134mQ8: {
    file: 'bench-134m.Q8_0.gguf',
    write: randomModel('Benchmark 134M (random weights)', BENCH_134M_SHAPE, GgmlType.Q8_0),
  },
  bench134mQ4: {
    file: 'bench-134m.Q4_0.gguf',
    write: randomModel('Benchmark 134M (random weights)', BENCH_134M_SHAPE, GgmlType.Q4_0),
  },
  // The K-quants of the bench's weight-type comparison (random blocks, small scales; output in Q8_0).
  bench134mQ4K: {
    file: 'bench-134m.Q4_K.gguf',
    write: randomModel('Benchmark 134M (random Q4_K weights)', BENCH_134M_SHAPE, GgmlType.Q4_K, GgmlType.Q8_0),
  },
  bench134mQ3K: {
    file: 'bench-134m.Q3_K.gguf',
    write: randomModel('Benchmark 134M (random Q3_K weights)', BENCH_134M_SHAPE, GgmlType.Q3_K, GgmlType.Q8_0),
  },
  bench134mQ2K: {
    file: 'bench-134m.Q2_K.gguf',
    write: randomModel('Benchmark 134M (random Q2_K weights)', BENCH_134M_SHAPE, GgmlType.Q2_K, GgmlType.Q8_0),
  },
  gpt5Arch: {
    // A well-formed GGUF whose general.architecture ("gpt5") no llama.cpp knows; 4 MiB of zero tensor
    // data after the header, so a download that is not refused from the header shows in the request log.
    file: 'unknown-arch-gpt5.F32.gguf',
    write: (path: string) =>
      writeGguf(path, {
        kv: { 'general.architecture': kv.str('gpt5'), 'general.name': kv.str('Unknown architecture (gpt5) test file') },
        tensors: [{ name: 'token_embd.weight', dims: [1024, 1024], type: GgmlType.F32, data: () => [new Uint8Array(4 << 20)] }],
      }),
  },
  rendering: {
    // A reply with a Markdown image, a link, a fenced Python block and a table (tests/e2e/rendering.spec.ts).
    file: 'scripted-rendering.Q8_0.gguf',
    reply: RENDERING_REPLY,
    write: (path: string) => writeGguf(path, scriptedSpec({ name: 'Scripted reply with Markdown', reply: uniqueReplyIds(RENDERING_REPLY) })),
  },
} satisfies Record<string, GeneratedModel>;

export type ModelName = keyof typeof MODELS;

/** Writes the model into dir unless an up-to-date copy is there; returns its path. */
export function ensureModel(name: ModelName, dir: string): string {
  const m = MODELS[name];
  mkdirSync(dir, { recursive: true });
  const path = join(dir, m.file);
  try {
    if (statSync(path).size > 0) return path;
  } catch {
    // not there yet
  }
  m.write(path);
  return path;
}
