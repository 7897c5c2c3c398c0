/**
 * Starts Prism's mock server on an OpenAPI document, on a free 127.0.0.1 port. The CLI's
 * `--mock`, the test setup and the demo all start it this way.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PrismHandle {
  url: string;
  stop(): Promise<void>;
  logs(): string;
}

export interface PrismOptions {
  /** The OpenAPI document to mock. */
  document: string;
  timeoutMs?: number;
  dynamic?: boolean;
  /** Where to resolve `@stoplight/prism-cli` from (default: this module). */
  resolveFrom?: string;
}

/** Where Prism's executable script is, or undefined when it is not installed. */
export function prismBin(resolveFrom: string = import.meta.url): string | undefined {
  const require = createRequire(resolveFrom);
  let pkgPath: string;
  try {
    pkgPath = require.resolve('@stoplight/prism-cli/package.json');
  } catch {
    return undefined;
  }
  const pkg = require(pkgPath) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.prism;
  return bin === undefined ? undefined : path.join(path.dirname(pkgPath), bin);
}

export async function startPrism(options: PrismOptions): Promise<PrismHandle> {
  const bin = prismBin(options.resolveFrom);
  if (bin === undefined) throw new Error('@stoplight/prism-cli is not installed');
  const port = await freePort();
  const args = [bin, 'mock', '--host', '127.0.0.1', '--port', String(port), '--errors', 'false'];
  if (options.dynamic) args.push('--dynamic');
  args.push(options.document);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Prism did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    logs: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
