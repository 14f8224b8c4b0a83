/// <reference lib="webworker" />
/** The engine worker: hosts wllama (llama.cpp in WebAssembly) and streams generations. */
import { toErrorData } from './lib/errors';
import { WllamaHost } from './lib/engine/wllama-host';
import { OwnEngineCannotStart, OwnHost } from './lib/engine/own/own-host';
import { chooseEngine, fallbackReason, wllamaRetries, type EngineName } from './lib/engine/engine-choice';
import { chooseBackend } from './lib/engine/backend';
import { AppError } from './lib/errors';
import { refuseOverContext } from './lib/engine/context-limit';
import type { LoadConfig, LoadedModelInfo } from './lib/engine/types';
import type { EngineEvent, EngineRequest } from './protocol';
import { ownEngine } from 'virtual:own-engine';
import { calibrateOwn } from './lib/engine/own/calibrate';
import { compileOwnWasmEarly } from './lib/engine/own/module';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (e: EngineEvent): void => scope.postMessage(e);
const hosts = { wllama: new WllamaHost(), own: ownEngine ? new OwnHost(ownEngine, () => post({ id: 0, type: 'busy' })) : null };
// The own engine's wasm is fetched and compiled while the page downloads or reads the model.
if (ownEngine) compileOwnWasmEarly(ownEngine);
/** The host whose model is loaded (tokenize and generate go to it). */
let active: WllamaHost | OwnHost = hosts.wllama;
const running = new Map<number, AbortController>();
/** The calibration under way (it yields between weight types): a generation waits for it. */
let calibrating: Promise<void> = Promise.resolve();

scope.onmessage = async (ev: MessageEvent<EngineRequest>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'ping':
      post({ id: msg.id, type: 'pong' });
      return;
    case 'cancel':
      running.get(msg.target)?.abort();
      return;
    case 'load':
      try {
        await calibrating; // the load's thread probes would be skewed by it
        const info = await load(msg.files, msg.config, (step) => post({ id: msg.id, type: 'progress', step }));
        post({ id: msg.id, type: 'loaded', info });
      } catch (e) {
        post({ id: msg.id, type: 'error', error: toErrorData(e, 'load-failed') });
      }
      return;
    case 'tokenize':
      try {
        const tokenization = active.tokenize(msg.prompt);
        if (msg.fit) refuseOverContext(tokenization.ids.length, msg.fit);
        post({ id: msg.id, type: 'tokens', tokenization });
      } catch (e) {
        post({ id: msg.id, type: 'error', error: toErrorData(e, 'generation-failed') });
      }
      return;
    case 'calibrate': {
      const run = ownEngine
        ? calibrateOwn(ownEngine, msg.threads, msg.browser)
        : Promise.reject(new AppError('worker-unavailable', 'This build of the app has no own engine (built without emcc), so it has no speed forecast.'));
      calibrating = run.then(() => {}, () => {});
      try {
        post({ id: msg.id, type: 'calibrated', calibration: await run });
      } catch (e) {
        post({ id: msg.id, type: 'error', error: toErrorData(e, 'generation-failed') });
      }
      return;
    }
    case 'unload':
      await active.unload().catch(() => {});
      post({ id: msg.id, type: 'unloaded' });
      return;
    case 'generate': {
      const ctrl = new AbortController();
      running.set(msg.id, ctrl);
      try {
        await calibrating; // a reply never shares the CPU with the calibration, so neither is skewed
        // One message for the pieces of one turn of the engine's loop, not one per token: the own engine
        // returns to the event loop every 250 ms (own-host.ts), and the page's work for each message
        // competes with llama.cpp's threads on a machine with few cores.
        let pieces: string[] = [];
        const flush = (): void => {
          if (pieces.length) post({ id: msg.id, type: 'token', pieces });
          pieces = [];
        };
        const result = await active.generate(msg.prompt, msg.params, ctrl.signal, (text) => {
          if (!pieces.length) queueMicrotask(flush);
          pieces.push(text);
        });
        flush();
        post({ id: msg.id, type: 'done', result });
      } catch (e) {
        post({ id: msg.id, type: 'error', error: toErrorData(e, 'generation-failed') });
      } finally {
        running.delete(msg.id);
      }
      return;
    }
  }
};

/**
 * Loads on the engine chooseEngine picks. When the own engine cannot start, or loses a model to
 * memory, or is not built for its architecture, wllama loads it instead and the info says why; a model llama.cpp refuses fails either way.
 * The other engine's model is unloaded only once the new load works.
 */
async function load(files: Blob[], config: LoadConfig, onStep: (step: string) => void): Promise<LoadedModelInfo> {
  const backendChoice = await chooseBackend(config.backend);
  const backend = backendChoice.backend;
  const pick = chooseEngine(config.engine ?? 'auto', { ownBuilt: hosts.own !== null, backend });
  let engine: EngineName = pick.engine;
  let reason = pick.reason;
  let info: LoadedModelInfo;
  if (engine === 'own' && hosts.own) {
    try {
      info = await hosts.own.load(files, config, onStep);
      info.backendReason = backend === 'cpu' ? backendChoice.reason : 'WebGPU is available, but the own engine (?engine=own) runs on the CPU only.';
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!(e instanceof OwnEngineCannotStart) && !(e instanceof AppError && wllamaRetries(e.kind, message))) throw e;
      engine = 'wllama';
      reason = fallbackReason(message);
      info = await hosts.wllama.load(files, config, onStep);
    }
  } else {
    info = await hosts.wllama.load(files, config, onStep);
  }
  const next = engine === 'own' && hosts.own ? hosts.own : hosts.wllama;
  if (next !== active) await active.unload().catch(() => {});
  active = next;
  return { ...info, engine, engineReason: reason };
}

post({ id: 0, type: 'hello' });
