import { mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../tools/models/catalog';
import { tensorBytes, writeGguf, writeGgufSplit, type GgufSpec } from '../../tools/models/gguf-writer';
import { llamaSpec, type LlamaShape } from '../../tools/models/llama-model';
import { openChatVocabKv } from '../../tools/models/openchat-vocab';
import { GgmlType } from '../../tools/models/quant';
import { scriptedSpec, uniqueReplyIds } from '../../tools/models/scripted';
import { DEMO_REPLY } from '../../tools/models/catalog';
import { kvCacheBytes, WASM_HEAP_MAX_BYTES } from '../../workers/lib/planner/components';
import { formatBytes } from '../../workers/lib/format';
import {
  combineShardInfos,
  readHeaderInfo,
  readRemoteHeaderInfo,
  readShardedHeaderInfo,
} from '../../workers/lib/planner/header-info';
import { planMemory, type ModelFacts } from '../../workers/lib/planner/memory-plan';
import { bestQuantThatFits, factsFromFileSize, quantsThatFit } from '../../workers/lib/planner/quant-fit';
import { STARLING_7B_ALPHA } from '../../workers/lib/catalog';
import { startModelServer, type ModelServer } from '../fixtures/model-server';
import { testModel } from '../fixtures/test-models';

const GB = 1e9;
const { shape: STARLING_7B_SHAPE, files: STARLING_7B_ALPHA_QUANTS } = STARLING_7B_ALPHA;
const starlingQuant = (name: string): ModelFacts =>
  factsFromFileSize(STARLING_7B_SHAPE, STARLING_7B_ALPHA_QUANTS.find((q) => q.quant === name)!.sizeBytes);
const dataBytes = (spec: GgufSpec): number => spec.tensors.reduce((n, t) => n + tensorBytes(t), 0);

describe('KV cache', () => {
  it('is 2 * n_layer * n_ctx * n_embd_kv * 2 bytes on the Starling shape', () => {
    // n_embd_kv = 8 KV heads * 128 = 1024
    expect(kvCacheBytes(STARLING_7B_SHAPE, 4096)).toBe(2 * 32 * 4096 * 1024 * 2);
    expect(kvCacheBytes(STARLING_7B_SHAPE, 4096)).toBe(512 * 2 ** 20);
    expect(kvCacheBytes(STARLING_7B_SHAPE, 512)).toBe(64 * 2 ** 20);
  });

  it('uses key/value lengths and per-layer KV head counts when the header has them', () => {
    const shape = { ...STARLING_7B_SHAPE, blockCount: 2, keyLength: 192, valueLength: 128, kvHeadsPerLayer: [8, 0] };
    expect(kvCacheBytes(shape, 1000)).toBe(1000 * 8 * (192 + 128) * 2);
  });

  it('is planned for the context llama.cpp allocates (rounded up to 256)', () => {
    const plan = planMemory(starlingQuant('Q2_K'), { ctx: 1000, backend: 'cpu' });
    expect(plan.ctx).toBe(1024);
    expect(plan.kvCache).toBe(kvCacheBytes(STARLING_7B_SHAPE, 1024));
  });
});

describe('CPU path: the 4 GiB WebAssembly heap', () => {
  it('is wllama 3.8.1’s 65536-page maximum', () => {
    expect(WASM_HEAP_MAX_BYTES).toBe(65536 * 65536);
    expect(formatBytes(WASM_HEAP_MAX_BYTES)).toBe('4 GiB (4.29 GB)');
  });

  it('cannot hold Starling Q4_K_M: its weights alone exceed it', () => {
    const plan = planMemory(starlingQuant('Q4_K_M'), { ctx: 512, backend: 'cpu' });
    expect(plan.verdict).toBe('too-big');
    expect(plan.fits).toBe(false);
    expect(plan.maxCtx).toBe(0);
    expect(plan.reasons[0]).toBe('The weights alone (4.37 GB) do not fit in wllama\'s 4 GiB (4.29 GB) WebAssembly limit.');
  });

  it('sums weights, KV cache, compute and runtime into the total', () => {
    const plan = planMemory(starlingQuant('Q2_K'), { ctx: 2048, backend: 'cpu' });
    expect(plan.weights).toBe(3.08 * GB);
    expect(plan.kvCache).toBe(256 * 2 ** 20);
    expect(plan.total).toBe(plan.weights + plan.kvCache + plan.compute + plan.overhead);
    expect(plan.wasmHeap).toBe(plan.total);
    expect(plan.gpu).toBe(0);
    // The calibrated compute buffer at Starling width: (3 * 14336 + 4 * 4096) * 512 * 4 + mask + logits row.
    expect(plan.compute).toBe((3 * 14336 + 4 * 4096) * 512 * 4 + 2048 * 512 * 2 + 32002 * 4);
  });

  it.each([
    [512, ['Q2_K', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L']],
    [2048, ['Q2_K', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L']],
    [4096, ['Q2_K', 'Q3_K_S', 'Q3_K_M']],
    [8192, []],
  ])('at ctx %i, exactly these Starling quantisations fit: %j', (ctx, expected) => {
    expect(quantsThatFit(STARLING_7B_SHAPE, STARLING_7B_ALPHA_QUANTS, { ctx, backend: 'cpu' })).toEqual(expected);
  });

  it('calls near-limit plans tight and says how far a too-big one must shrink its context', () => {
    expect(planMemory(starlingQuant('Q3_K_L'), { ctx: 2048, backend: 'cpu' }).verdict).toBe('tight');
    expect(planMemory(starlingQuant('Q3_K_M'), { ctx: 2048, backend: 'cpu' }).verdict).toBe('fits');
    const plan = planMemory(starlingQuant('Q3_K_L'), { ctx: 4096, backend: 'cpu' });
    expect(plan.verdict).toBe('too-big');
    expect(plan.maxCtx).toBe(2304);
    expect(plan.reasons).toContain('It fits with a context of 2304 tokens or fewer.');
    expect(planMemory(starlingQuant('Q3_K_L'), { ctx: plan.maxCtx, backend: 'cpu' }).fits).toBe(true);
    expect(planMemory(starlingQuant('Q3_K_L'), { ctx: plan.maxCtx + 256, backend: 'cpu' }).fits).toBe(false);
  });

  it('picks the recommended quantisation when it fits, else the largest that does', () => {
    expect(bestQuantThatFits(STARLING_7B_SHAPE, STARLING_7B_ALPHA_QUANTS, { ctx: 2048, backend: 'cpu' })?.quant.quant).toBe('Q3_K_L');
    expect(bestQuantThatFits(STARLING_7B_SHAPE, STARLING_7B_ALPHA_QUANTS, { ctx: 8192, backend: 'cpu' })).toBeNull();
    const roomy = { ctx: 2048, backend: 'cpu' as const, limits: { wasmHeapMax: 16 * 1024 ** 3 } };
    expect(bestQuantThatFits(STARLING_7B_SHAPE, STARLING_7B_ALPHA_QUANTS, roomy)?.quant.quant).toBe('Q4_K_M');
  });

  it('warns beyond the training context and on a small device, without blocking', () => {
    const plan = planMemory(starlingQuant('Q2_K'), { ctx: 512, backend: 'cpu', limits: { deviceMemoryGiB: 4 } });
    expect(plan.fits).toBe(true);
    expect(plan.warnings.join(' ')).toMatch(/reports about 4 GB of memory/);
    const tiny = { ...starlingQuant('Q2_K'), tensorDataBytes: 100e6, contextLength: 4096 };
    expect(planMemory(tiny, { ctx: 8192, backend: 'cpu' }).warnings.join(' ')).toMatch(/trained with a context of 4096/);
  });
});

describe('WebGPU path', () => {
  const adapter = { maxBufferSize: 1024 ** 3, maxStorageBufferBindingSize: 1024 ** 3, shaderF16: true };

  it('keeps the weights in GPU buffers, so Starling Q4_K_M fits with a capable adapter', () => {
    const plan = planMemory(starlingQuant('Q4_K_M'), { ctx: 4096, backend: 'webgpu', limits: { webgpu: adapter } });
    expect(plan.fits).toBe(true);
    expect(plan.gpu).toBeGreaterThan(4.37 * GB);
    expect(plan.wasmHeap).toBeLessThan(0.5 * GB);
    expect(plan.measured).toBe(false);
  });

  it('cannot run without an adapter or without shader-f16', () => {
    const none = planMemory(starlingQuant('Q2_K'), { ctx: 512, backend: 'webgpu', limits: { webgpu: null } });
    expect(none.verdict).toBe('too-big');
    expect(none.reasons[0]).toBe('This browser has no WebGPU adapter, so the WebGPU path cannot run here.');
    const noF16 = planMemory(starlingQuant('Q2_K'), { ctx: 512, backend: 'webgpu', limits: { webgpu: { ...adapter, shaderF16: false } } });
    expect(noF16.fits).toBe(false);
    expect(noF16.reasons[0]).toMatch(/lacks shader-f16/);
  });

  it('refuses a buffer larger than the binding limit, and finds the context that fits it', () => {
    // A 64 MiB binding limit: one layer of a 16k-token KV cache (16384 * 1024 * 2 = 32 MiB) still fits, the
    // token embedding tensor (32002 * 4096 at ~0.45 bytes/weight, about 59 MB) too; at 64k tokens the cache does not.
    const small = { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 64 * 2 ** 20, shaderF16: true };
    const facts = { ...starlingQuant('Q2_K'), contextLength: 65536 };
    const plan = planMemory(facts, { ctx: 65536, backend: 'webgpu', limits: { webgpu: small } });
    expect(plan.fits).toBe(false);
    expect(plan.reasons[0]).toBe('One layer of the context cache (134 MB) exceeds the GPU’s 67 MB buffer limit.');
    expect(plan.maxCtx).toBe(32768);
    expect(planMemory(facts, { ctx: 32768, backend: 'webgpu', limits: { webgpu: small } }).fits).toBe(true);
  });

  it('refuses a model whose largest tensor exceeds the binding limit', () => {
    const facts = { ...starlingQuant('Q8_0'), largestTensor: { name: 'output.weight', bytes: 139e6 } };
    const plan = planMemory(facts, {
      ctx: 512,
      backend: 'webgpu',
      limits: { webgpu: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 128 * 2 ** 20 } },
    });
    expect(plan.fits).toBe(false);
    expect(plan.reasons[0]).toBe('The tensor output.weight (139 MB) exceeds the GPU’s 134 MB buffer limit.');
  });
});

describe('header info', () => {
  let dir: string;
  let single: { path: string; spec: GgufSpec };
  let shards: { paths: string[]; spec: GgufSpec };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'planner-'));
    const shape: LlamaShape = { vocab: 32002, dim: 256, layers: 2, heads: 4, kvHeads: 2, ff: 512, ctx: 2048 };
    const spec = llamaSpec({
      name: 'planner test',
      shape,
      types: { embedding: GgmlType.Q8_0, output: GgmlType.Q8_0, layers: GgmlType.Q4_0 },
      weights: () => 'random',
      vocabKv: openChatVocabKv(),
    });
    single = { path: join(dir, 'single.gguf'), spec };
    writeGguf(single.path, spec);
    shards = { paths: writeGgufSplit(join(dir, 'split'), spec, 4e6), spec };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the facts of a generated GGUF (the demo model)', async () => {
    const demo = testModel('demo');
    const info = await readHeaderInfo(await openAsBlob(demo.path));
    const spec = scriptedSpec({ name: 'Starling Playground demo (scripted)', reply: uniqueReplyIds(DEMO_REPLY) });
    expect(MODELS.demo.file).toBe(demo.file);
    expect(info).toMatchObject({
      architecture: 'llama',
      name: 'Starling Playground demo (scripted)',
      vocabSize: 32002,
      tensorCount: spec.tensors.length,
      tensorDataBytes: dataBytes(spec),
      fileBytes: statSync(demo.path).size,
      split: { no: 0, count: 1, tensorsCount: null },
      hasOutputTensor: true,
    });
    expect(info.blockCount).toBe(Number(spec.kv['llama.block_count'].value));
    expect(info.embeddingLength).toBe(Number(spec.kv['llama.embedding_length'].value));
    expect(info.headCountKv).toBe(Number(spec.kv['llama.attention.head_count_kv'].value));
    expect(info.tensorTypes.Q8_0.count + info.tensorTypes.F32.count).toBe(spec.tensors.length);
    expect(planMemory(info, { ctx: 512, backend: 'cpu' }).verdict).toBe('fits');
  });

  it('reads hyperparameters, type histogram and tensor bytes', async () => {
    const info = await readHeaderInfo(await openAsBlob(single.path));
    expect(info).toMatchObject({
      architecture: 'llama',
      blockCount: 2,
      embeddingLength: 256,
      headCount: 4,
      headCountKv: 2,
      keyLength: null,
      valueLength: null,
      contextLength: 2048,
      vocabSize: 32002,
      feedForwardLength: 512,
      tensorCount: 21,
      tensorDataBytes: dataBytes(single.spec),
    });
    expect(info.tensorTypes.Q4_0.count).toBe(2 * 7);
    expect(info.tensorTypes.Q8_0).toEqual({ count: 2, bytes: 2 * (256 / 32) * 34 * 32002 });
    expect(info.tokenEmbeddingBytes).toBe((256 / 32) * 34 * 32002);
    expect(info.largestTensor.bytes).toBe(info.tokenEmbeddingBytes);
  });

  it('reads a header without reading the whole Blob', async () => {
    const blob = await openAsBlob(single.path);
    let bytesRead = 0;
    // Only size and slice are used by the parser's Blob-backed fetch; counting what slice hands out.
    const counting = {
      size: blob.size,
      slice: (start?: number, end?: number) => {
        bytesRead += (end ?? blob.size) - (start ?? 0);
        return blob.slice(start, end);
      },
    } as unknown as Blob;
    const info = await readHeaderInfo(counting);
    expect(info.tensorCount).toBe(21);
    expect(blob.size).toBeGreaterThan(15e6);
    expect(bytesRead).toBeLessThanOrEqual(2e6); // one 2 MB chunk holds the whole header
  });

  it('reads a remote header with Range requests only', async () => {
    const server: ModelServer = await startModelServer(dir);
    try {
      const info = await readRemoteHeaderInfo(`${server.url}/models/single.gguf`);
      expect(info.tensorDataBytes).toBe(dataBytes(single.spec));
      expect(info.fileBytes).toBe(statSync(single.path).size);
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.every((r) => r.range !== null && /^bytes=\d+-\d+$/.test(r.range))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('combines the shards of a gguf-split set', async () => {
    expect(shards.paths.length).toBeGreaterThanOrEqual(3);
    const blobs = await Promise.all(shards.paths.map((p) => openAsBlob(p)));
    const first = await readHeaderInfo(blobs[0]);
    expect(first.split).toEqual({ no: 0, count: shards.paths.length, tensorsCount: 21 });
    expect(first.tensorDataBytes).toBeLessThan(dataBytes(shards.spec));

    const second = await readHeaderInfo(blobs[1]);
    expect(second.split.no).toBe(1);
    expect(second.architecture).toBe('unknown'); // later shards carry only split keys

    const all = await readShardedHeaderInfo([...blobs].reverse());
    expect(all).toMatchObject({
      architecture: 'llama',
      blockCount: 2,
      vocabSize: 32002,
      tensorCount: 21,
      tensorDataBytes: dataBytes(shards.spec),
      fileBytes: shards.paths.reduce((n, p) => n + statSync(p).size, 0),
      shardsRead: shards.paths.length,
      tokenEmbeddingBytes: (256 / 32) * 34 * 32002,
      hasOutputTensor: true,
    });
    const whole = await readHeaderInfo(await openAsBlob(single.path));
    expect(all.tensorTypes).toEqual(whole.tensorTypes);
  });

  it('refuses an incomplete shard set', async () => {
    const infos = await Promise.all(shards.paths.map(async (p) => readHeaderInfo(await openAsBlob(p))));
    expect(() => combineShardInfos(infos.slice(1))).toThrow(/first shard/);
    expect(() => combineShardInfos(infos.slice(0, -1))).toThrow(/needs every shard/);
  });

  it('plans a header the same way as a file-size catalogue entry', async () => {
    const info = await readHeaderInfo(new Blob([readFileSync(single.path)]));
    const plan = planMemory(info, { ctx: 2048, backend: 'cpu' });
    expect(plan.weights).toBe(info.tensorDataBytes);
    expect(plan.kvCache).toBe(2 * 2 * 2048 * (2 * 64) * 2);
  });
});

describe('the heap ceiling of the build the browser gets', () => {
  it('is 4 GiB on the default build and one page less on the compat build (wasm32)', async () => {
    const { readBrowserLimits } = await import('../../workers/lib/planner/browser-limits');
    const chromium = await readBrowserLimits({}, { jspi: true, memory64: true, firefox: false });
    const safari = await readBrowserLimits({}, { jspi: false, memory64: false, firefox: false });
    expect(chromium.wasmHeapMax).toBe(4 * 1024 ** 3);
    expect(safari.wasmHeapMax).toBe(4 * 1024 ** 3 - 65536);
    expect(chromium.webgpu).toBeNull();
  });
});

describe("the planner's heap ceilings match the installed wllama glue", () => {
  it('reads getHeapMax() of each build', async () => {
    const { WASM_HEAP_MAX } = await import('../../workers/lib/planner/components');
    const heapMax = (path: string): number => Number(/getHeapMax=\(\)=>(\d+)/.exec(readFileSync(path, 'utf8'))?.[1]);
    expect(heapMax('node_modules/@wllama/wllama/esm/index.js')).toBe(WASM_HEAP_MAX.default);
    expect(heapMax('node_modules/@wllama/wllama-compat/wasm/wllama.js')).toBe(WASM_HEAP_MAX.compat);
  });
});
