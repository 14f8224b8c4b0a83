/** Native llama.cpp runs, each in a child process (tools/bench/native-child.ts). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './servers';

export interface NativeRun {
  loadMs: number;
  promptTokens: number;
  genTokens: number;
  ttftMs: number;
  promptTps: number;
  genTps: number;
  /** VmHWM of the child process (Node itself included, about 50 MB). */
  peakRss: number;
}

export const nativeAvailable = (): boolean => existsSync(join(ROOT, 'tests/native/node_modules/node-llama-cpp/package.json'));

export function nativeRun(o: { modelPath: string; threads: number; ctx: number; tokens: number; prompt: string; timeoutMs: number }): Promise<NativeRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tools/bench/native-child.ts'), o.modelPath, String(o.threads), String(o.ctx), String(o.tokens), o.prompt],
      { cwd: ROOT, timeout: o.timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').findLast((l) => l.startsWith('{'));
        if (err || !line) reject(new Error(`native run failed: ${err?.message ?? ''}\n${stderr.slice(-2000)}`));
        else resolve(JSON.parse(line) as NativeRun);
      },
    );
  });
}
