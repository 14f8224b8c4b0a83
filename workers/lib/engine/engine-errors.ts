/**
 * wllama's failures that have a cause of their own, turned into errors that say it. Plain functions
 * of the thrown value, so they are unit-tested without a browser.
 */
import { AppError } from '../errors';
import type { WasmBuild } from './wasm-build';

/**
 * wllama (3.8 and 3.13 alike) fails a request whose output is not valid UTF-8: its glue encodes the
 * result with nlohmann::json's strict dump(), which throws, the glue reply is never written, and the
 * worker reads the "GLUE" magic as a length: 1163217991. tests/e2e/chat-robustness.spec.ts has such a
 * model (a lone 0xFF byte token); it still fails this way on 3.13.0.
 */
export function generationError(e: unknown): AppError {
  const message = e instanceof Error ? e.message : String(e);
  if (message.includes('Invalid typed array length: 1163217991')) {
    return new AppError(
      'generation-failed',
      'The model produced bytes that are not valid UTF-8 text, which the engine (wllama) cannot pass on. ' +
        'The reply so far is kept; try again or rephrase.',
    );
  }
  return new AppError('generation-failed', `Generation failed: ${message}`);
}

/**
 * wllama 3.13 checks, before it loads a model, that the WebAssembly file was built from the llama.cpp
 * commit its JavaScript expects (wllama_start's `version` against LIBLLAMA_VERSION), and throws a
 * WllamaError of type 'version_mismatch' otherwise. The app serves both builds' files itself, from the
 * installed packages (tests/unit/wllama-version.test.ts checks they match), so this means a broken
 * build or deploy: files from two wllama releases. It is not the model's fault, so it is not a
 * load-failed error (which could mark the cached model as not loadable), and trying again cannot help.
 */
export function versionMismatchError(e: unknown, build: WasmBuild): AppError | null {
  if (typeof e !== 'object' || e === null || (e as { type?: unknown }).type !== 'version_mismatch') return null;
  const message = e instanceof Error ? e.message : String(e);
  const m = /wasm file version \(([^)]*)\) does not match the expected version \(([^)]*)\)/.exec(message);
  const which = build === 'compat' ? 'compat' : 'default';
  const versions = m ? `: its script expects llama.cpp ${m[2]}, but the ${which} build's WebAssembly file is ${m[1]}` : ` (${message})`;
  return new AppError(
    'engine-mismatch',
    `The engine's files do not belong together${versions}. This copy of the app was built or deployed with ` +
      'files from two different wllama releases; it has to be rebuilt (both @wllama packages at one version). ' +
      'No model can run until then; your cached models are fine.',
  );
}
