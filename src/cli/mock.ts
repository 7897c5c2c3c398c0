/**
 * `--mock`: Prism on the bundled OpenAPI document, on a free 127.0.0.1 port, started the same way
 * as for the tests and `npm start` (./prism.ts). Prism is a development dependency: in an
 * install without it, --mock says so and exits 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prismBin, startPrism } from './prism.js';
import { PACKAGE_NAME } from '../version.js';
import { MockUnavailableError } from './exit-codes.js';

export const MOCK_TOKEN = 'mock-token';
const DOCUMENT = path.join('generated', 'expiring-targets.openapi.yaml');

/** This package's root: the nearest folder up from this file whose package.json is ours. */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface Mock {
  url: string;
  stop(): Promise<void>;
}

export async function startMock(): Promise<Mock> {
  if (prismBin() === undefined) {
    throw new MockUnavailableError(
      '--mock needs Prism (@stoplight/prism-cli), a development dependency of ld-expiring-targets that is not installed here. ' +
        'Install it (npm install --save-dev @stoplight/prism-cli@5) or run against a server with --base-url.',
    );
  }
  const root = packageRoot();
  const document = root === undefined ? undefined : path.join(root, DOCUMENT);
  if (document === undefined || !existsSync(document)) {
    throw new MockUnavailableError(`--mock cannot find the bundled API description (${DOCUMENT}) next to the CLI`);
  }
  return startPrism({ document });
}
