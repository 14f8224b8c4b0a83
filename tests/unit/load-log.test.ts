import { describe, expect, it } from 'vitest';
import { cleanLine, isFileFault, LoadLog, loadFailedMessage } from '../../workers/lib/engine/load-log';

describe("llama.cpp's reason for a failed load", () => {
  it('keeps the error lines, without function prefixes or generic repeats', () => {
    const log = new LoadLog();
    log.logger.debug('llama_model_loader: loaded meta data with 30 key-value pairs');
    log.logger.error("llama_model_load: error loading model: unknown model architecture: 'gpt5'");
    log.logger.error('llama_model_load_from_file_impl: failed to load model');
    log.logger.error("cmn common_init_: failed to load model 'models/model-00001-of-00001.gguf'");
    const message = loadFailedMessage('(it reported a 0-token context)', log.reason());
    expect(message).toBe("llama.cpp could not load this model: unknown model architecture: 'gpt5'.");
  });

  it('strips nested prefixes down to the reason', () => {
    expect(cleanLine("llama_model_load: error loading model: check_tensor_dims: tensor 'blk.0.ffn_down.weight' not found")).toBe(
      "tensor 'blk.0.ffn_down.weight' not found",
    );
  });

  it('finds a reason in non-error lines too, and says when there is none', () => {
    const log = new LoadLog();
    log.logger.log('llama_kv_cache: failed to allocate buffer for kv cache');
    expect(log.reason()).toEqual(['failed to allocate buffer for kv cache']);
    expect(loadFailedMessage('(it reported a 0-token context)', [])).toMatch(/gave no reason/);
  });

  it('bounds what it keeps', () => {
    const log = new LoadLog();
    for (let i = 0; i < 1000; i++) log.logger.error(`err_fn: error number ${i} ${'x'.repeat(500)}`);
    expect(log.lines.length).toBeLessThanOrEqual(400);
    expect(log.reason().length).toBeLessThanOrEqual(4);
    expect(log.reason()[0].length).toBeLessThanOrEqual(301);
  });

  it("tells the file's faults from a context too big for memory", () => {
    expect(isFileFault("llama.cpp could not load this model: unknown model architecture: 'gpt5'.")).toBe(true);
    expect(isFileFault("llama.cpp could not load this model: tensor 'blk.0.ffn_down.weight' not found.")).toBe(true);
    expect(isFileFault('llama.cpp could not load this model: failed to allocate buffer for kv cache.')).toBe(false);
  });
});
