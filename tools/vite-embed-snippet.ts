/**
 * Build step for embed.js (web/src/embed-snippet/): hosts include it with a plain `<script src>`,
 * so the ES chunk Vite writes must become one classic script. It is wrapped in a function (a classic
 * script's top-level names would be the host page's globals) and then parsed as a script, so any
 * `import`/`export` fails the build. Its types ship beside it as embed.d.ts.
 */
import { readFileSync } from 'node:fs';
import { parseSync, type Plugin } from 'vite';

/** `code` (an ES chunk with no imports or exports) as a classic script; throws when it cannot be one. */
export function asClassicScript(code: string, fileName: string): string {
  const script = `(() => {\n'use strict';\n${code}\n})();\n`;
  const { errors } = parseSync(fileName, script, { sourceType: 'script', lang: 'js' });
  if (errors.length > 0) throw new Error(`${fileName} is not a classic script: ${errors[0].message} (a runtime import from the app?)`);
  // Both parse in a script, but need a module's URL or the network at run time.
  if (/\bimport\s*(\(|\.\s*meta\b)/.test(code)) throw new Error(`${fileName} uses import() or import.meta, which a classic script cannot rely on`);
  return script;
}

/** `chunkName`: the rollup input's name; `types`: the .d.ts file shipped as embed.d.ts. */
export function embedSnippet(chunkName: string, types: string): Plugin {
  return {
    name: 'starling:embed-snippet',
    apply: 'build',
    // After minification (renderChunk), so the minifier cannot undo the wrapper.
    generateBundle(_options, bundle) {
      const chunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry && c.name === chunkName);
      if (!chunk || chunk.type !== 'chunk') return this.error(`no entry chunk named ${chunkName}`);
      if (chunk.imports.length > 0 || chunk.dynamicImports.length > 0) {
        return this.error(`${chunk.fileName} imports ${[...chunk.imports, ...chunk.dynamicImports].join(', ')}: it must be self-contained (import only types from the app)`);
      }
      chunk.code = asClassicScript(chunk.code, chunk.fileName);
      this.emitFile({ type: 'asset', fileName: 'embed.d.ts', source: readFileSync(types, 'utf8') });
    },
  };
}
