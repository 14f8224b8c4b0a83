/**
 * `npm run build:engine`: builds the project's own CPU engine (engine/starling_engine.cpp over
 * llama.cpp) for plain wasm32 with SIMD128 and pthreads, using Debian's emscripten package and the
 * llama.cpp source that the pinned node-llama-cpp package ships (llama/gitRelease.bundle).
 *
 * The output lands in .cache/engine/out/ (read by vite.config.ts), and each build is kept under a key
 * of its source, flags and compiler, so a later build with nothing changed takes well under a second.
 * Without emcc the app still builds, with wllama as its only CPU engine, and this says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_FILES, ENGINE_MANIFEST, type EngineManifest } from './engine-files.ts';
import { prepareLlamaSource, sourceEditsKey } from './engine-source.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.cache', 'engine');
const outDir = join(cache, 'out');
const native = join(root, 'tests', 'native', 'node_modules', 'node-llama-cpp');
const bundle = join(native, 'llama', 'gitRelease.bundle');
const apiSource = join(root, 'engine', 'starling_engine.cpp');

/** What the C API exports (engine/starling_engine.cpp) and the runtime parts the worker calls. */
const EXPORTS = [
  'se_init', 'se_load', 'se_free', 'se_set_threads', 'se_n_ctx', 'se_n_vocab', 'se_bos', 'se_eos', 'se_eot', 'se_is_eog',
  'se_chat_template', 'se_meta_count', 'se_meta_key', 'se_meta_val', 'se_piece', 'se_prompt_begin', 'se_prompt_step',
  'se_sampler', 'se_sample', 'se_feed', 'se_n_cached', 'se_heap_used', 'se_reserve', 'se_detokenize', 'se_matmul_seconds', 'malloc', 'free',
].map((n) => `_${n}`);
const RUNTIME = ['FS', 'UTF8ToString', 'stringToUTF8', 'lengthBytesUTF8'];

/**
 * One llama.cpp library, compiled with pthreads, and two modules linked from it: 'mt' with pthreads
 * (SharedArrayBuffer: cross-origin isolated pages) and 'st' without, for pages that have no
 * SharedArrayBuffer (WebKitGTK; a widget that is not isolated). The st module runs the threaded
 * library's code on one thread: wasm's atomic instructions work on memory that is not shared, the
 * library keeps no thread_local (engine/wasm_fa.h), and engine/starling_engine.cpp, compiled for each
 * module, refuses more than one thread there. Compiling the library once saves about 150 CPU-seconds.
 * -DEMSCRIPTEN_SYSTEM_PROCESSOR=wasm32: without it ggml falls back to its generic C kernels, silently.
 * LLAMA_WASM_MEM64=OFF: Debian's clang 14 cannot build memory64, and wasm32 runs in every browser.
 */
const cmakeFlags = (): string[] => [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DEMSCRIPTEN_SYSTEM_PROCESSOR=wasm32',
  '-DLLAMA_WASM_MEM64=OFF',
  '-DLLAMA_BUILD_HTML=OFF',
  '-DGGML_OPENMP=OFF',
  '-DLLAMA_CURL=OFF',
  '-DBUILD_SHARED_LIBS=OFF',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_BUILD_TOOLS=OFF',
  '-DLLAMA_BUILD_SERVER=OFF',
  '-DLLAMA_BUILD_COMMON=OFF',
  '-DCMAKE_C_FLAGS=-msimd128 -pthread',
  // llama.cpp reports a model it refuses (unknown architecture, missing tensor, no memory for the KV
  // cache) by throwing and catching a C++ exception: Emscripten does not catch them by default, and the
  // throw reached JavaScript as a bare number. Debian's emscripten ships the JS-based EH runtime only.
  '-DCMAKE_CXX_FLAGS=-msimd128 -pthread -fexceptions',
];

/**
 * ES module output (the engine worker imports it; the pthread workers import it too). The pool holds
 * the threads llama.cpp may start, created before the model loads: a thread started later would need
 * the worker's event loop, which llama.cpp's compute blocks. 4 GB: wasm32's ceiling.
 */
const linkFlags = (threads: boolean, name: string): string[] => [
  // -O1 at link time: the kernels were compiled with -O3 (CMake's Release); wasm-opt -O3 over the whole
  // module took 3 minutes here, -O1 6 s.
  '-O1', '-msimd128', '-fexceptions',
  ...(threads ? ['-pthread', "-sPTHREAD_POOL_SIZE=Module['threadPool']"] : []),
  '-sMODULARIZE=1', '-sEXPORT_ES6=1', `-sEXPORT_NAME=${name}`, '-sENVIRONMENT=worker',
  '-sALLOW_MEMORY_GROWTH=1', '-sINITIAL_MEMORY=64MB', '-sMAXIMUM_MEMORY=4GB',
  '-sFORCE_FILESYSTEM=1', '-lworkerfs.js',
  '-sEXIT_RUNTIME=0',
  `-sEXPORTED_FUNCTIONS=${EXPORTS.join(',')}`,
  `-sEXPORTED_RUNTIME_METHODS=${RUNTIME.join(',')}`,
];

const VARIANTS = [
  { id: 'mt', threads: true, js: ENGINE_FILES.js, wasm: ENGINE_FILES.wasm, name: 'createStarlingEngine' },
  { id: 'st', threads: false, js: ENGINE_FILES.stJs, wasm: ENGINE_FILES.stWasm, name: 'createStarlingEngineSingle' },
] as const;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}\n`);
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}... failed (exit ${r.status})`);
  }
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** emcc, installing Debian's emscripten when we may (root with apt); false when there is none. */
function ensureEmcc(): boolean {
  if (has('emcc')) return true;
  if (process.getuid?.() === 0 && has('apt-get') && !process.env.STARLING_NO_APT) {
    console.log('build:engine: emcc is missing; installing Debian\'s emscripten (apt-get install emscripten)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '-qq', 'emscripten'], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '-qq', 'emscripten'], { stdio: 'inherit', env });
    }
    return r.status === 0 && has('emcc');
  }
  return false;
}

const sha = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

function main(): void {
  const t0 = performance.now();
  if (!ensureEmcc()) {
    rmSync(outDir, { recursive: true, force: true });
    console.log(
      'build:engine: emcc is not installed, so the app is built with wllama as its only CPU engine (slower).\n' +
        '  Add the fast engine with: sudo apt-get install emscripten && npm run build',
    );
    return;
  }
  if (!existsSync(bundle)) execFileSync('npx', ['tsx', join(root, 'tools', 'ensure-native.ts')], { stdio: 'inherit', cwd: root });
  const emccVersion = execFileSync('emcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const info = readFileSync(join(native, 'llama', 'llama.cpp.info.json'), 'utf8');
  const bundleStat = statSync(bundle);
  // The bundle is 70 MB: its size and the package's version and release name key it (the version is pinned exactly).
  const nativeVersion = (JSON.parse(readFileSync(join(native, 'package.json'), 'utf8')) as { version: string }).version;
  // The source's edits (engine-source.ts) are part of it.
  const sourceKey = sha(nativeVersion, info, String(bundleStat.size), sourceEditsKey()).slice(0, 16);
  // The library (minutes) is keyed apart from the links (seconds), so a change to the C API relinks only.
  const libKey = sha(sourceKey, cmakeFlags().join(' '), emccVersion).slice(0, 16);
  const key = sha(libKey, ...VARIANTS.map((v) => linkFlags(v.threads, v.name).join(' ')), readFileSync(apiSource)).slice(0, 16);
  const keep = join(cache, `build-${key}`);
  const manifestPath = join(keep, ENGINE_MANIFEST);

  if (!existsSync(manifestPath)) {
    const src = join(cache, `src-${sourceKey}`);
    if (!existsSync(join(src, 'CMakeLists.txt'))) {
      console.log(`build:engine: unpacking llama.cpp from node-llama-cpp ${nativeVersion}...`);
      rmSync(src, { recursive: true, force: true });
      run('git', ['clone', '--quiet', '--depth=1', bundle, src], root, process.env);
    }
    prepareLlamaSource(src);
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: src, encoding: 'utf8' }).trim();
    // Debian's emscripten finds its JS optimizer's acorn in Debian's node path.
    const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
    mkdirSync(keep, { recursive: true });
    const built: EngineManifest['variants'] = [];
    const lib = join(cache, `lib-${libKey}`);
    const libTimes = join(lib, 'built.json');
    if (!existsSync(libTimes)) {
      console.log(`build:engine: building llama.cpp ${commit.slice(0, 10)} for wasm32 (minutes the first time)...`);
      mkdirSync(lib, { recursive: true });
      const tCmake = performance.now();
      run('emcmake', ['cmake', src, ...cmakeFlags()], lib, env);
      run('cmake', ['--build', '.', '--target', 'llama', '-j', String(Math.max(1, cpus().length))], lib, env);
      writeFileSync(libTimes, JSON.stringify({ libraryMs: Math.round(performance.now() - tCmake) }));
    }
    const libs = ['src/libllama.a', 'ggml/src/libggml.a', 'ggml/src/libggml-cpu.a', 'ggml/src/libggml-base.a'].map((p) => join(lib, p));
    const libraryMs = (JSON.parse(readFileSync(libTimes, 'utf8')) as { libraryMs: number }).libraryMs;
    for (const v of VARIANTS) {
      const tLink = performance.now();
      const flags = linkFlags(v.threads, v.name);
      run('em++', [apiSource, '-I', join(src, 'include'), '-I', join(src, 'ggml', 'include'), ...libs, ...flags, '-o', join(keep, v.js)], keep, env);
      built.push({ id: v.id, cmakeFlags: cmakeFlags(), linkFlags: flags, libraryMs, linkMs: Math.round(performance.now() - tLink), wasmBytes: statSync(join(keep, v.wasm)).size });
    }
    const manifest: EngineManifest = {
      key,
      llamaCpp: { commit, release: JSON.parse(info) as unknown, from: `node-llama-cpp ${nativeVersion}` },
      emcc: emccVersion,
      variants: built,
      wasmBytes: built[0].wasmBytes,
    };
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const f of [...Object.values(ENGINE_FILES), ENGINE_MANIFEST]) copyFileSync(join(keep, f), join(outDir, f));
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as EngineManifest;
  const each = m.variants.map((v) => `${v.id} ${(v.wasmBytes / 1e6).toFixed(1)} MB wasm, linked in ${(v.linkMs / 1000).toFixed(0)} s`);
  const library = `library built in ${(m.variants[0].libraryMs / 1000).toFixed(0)} s`;
  console.log(`build:engine: llama.cpp ${m.llamaCpp.commit.slice(0, 10)}: ${library}; ${each.join('; ')} (this run ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

main();
