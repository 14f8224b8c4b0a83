/// <reference lib="webworker" />
/** The engine worker: hosts wllama (llama.cpp in WebAssembly) and streams generations. */
import { toErrorData } from './lib/errors';
import { WllamaHost } from './lib/engine/wllama-host';
import { refuseOverContext } from './lib/engine/context-limit';
import type { EngineEvent, EngineRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const host = new WllamaHost();
const running = new Map<number, AbortController>();
const post = (e: EngineEvent): void => scope.postMessage(e);

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
        const info = await host.load(msg.files, msg.config, (step) => post({ id: msg.id, type: 'progress', step }));
        post({ id: msg.id, type: 'loaded', info });
      } catch (e) {
        post({ id: msg.id, type: 'error', error: toErrorData(e, 'load-failed') });
      }
      return;
    case 'tokenize':
      try {
        const tokenization = host.tokenize(msg.prompt);
        if (msg.fit) refuseOverContext(tokenization.ids.length, msg.fit);
        post({ id: msg.id, type: 'tokens', tokenization });
      } catch (e) {
        post({ id: msg.id, type: 'error', error: toErrorData(e, 'generation-failed') });
      }
      return;
    case 'unload':
      await host.unload().catch(() => {});
      post({ id: msg.id, type: 'unloaded' });
      return;
    case 'generate': {
      const ctrl = new AbortController();
      running.set(msg.id, ctrl);
      try {
        const result = await host.generate(msg.prompt, msg.params, ctrl.signal, (text) =>
          post({ id: msg.id, type: 'token', text }),
        );
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

post({ id: 0, type: 'hello' });
