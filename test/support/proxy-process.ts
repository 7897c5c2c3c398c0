/**
 * Starts the proxy in a child process (test/support/proxy-child.mjs) from a bundle of
 * src/proxy built here, and reads that process's peak RSS: memory bounds are measured on a
 * process that serves nothing else.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from './project.js';

export interface ProxyProcess {
  url: string;
  /** The child's peak resident set size so far, in bytes. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

let bundled: Promise<{ file: string; dir: string }> | undefined;

/** One bundle per test file: the proxy entry as a single ES module. */
export function bundleProxy(): Promise<{ file: string; dir: string }> {
  bundled ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'proxy-bundle-'));
    const file = path.join(dir, 'proxy.mjs');
    await build({
      entryPoints: [path.join(projectRoot, 'src/proxy/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: file,
      logLevel: 'silent',
    });
    return { file, dir };
  })();
  return bundled;
}

export async function removeBundle(): Promise<void> {
  if (bundled) await rm((await bundled).dir, { recursive: true, force: true });
  bundled = undefined;
}

function nextMessage<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (message && key in message) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message[key] as T);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`the proxy process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startProxyProcess(upstream: string, options: Record<string, unknown> = {}): Promise<ProxyProcess> {
  const { file } = await bundleProxy();
  const child = fork(path.join(projectRoot, 'test/support/proxy-child.mjs'), [file, upstream, JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await nextMessage<number>(child, 'port');
  return {
    url: `http://127.0.0.1:${port}`,
    peakRss: () => {
      const answer = nextMessage<number>(child, 'rss');
      child.send('rss');
      return answer;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
