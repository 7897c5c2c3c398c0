/**
 * `--mock`: Prism on the bundled OpenAPI document, on a free 127.0.0.1 port, started the same way
 * as for the tests and `npm start` (./prism.ts). Prism is an optional peer dependency: without it,
 * --mock names the one command that installs it (at the version package.json's peerDependencies
 * allow) and exits 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prismBin, startPrism } from './prism.js';
import { PACKAGE_NAME } from '../core/version.js';
import { MockUnavailableError } from './errors.js';

export const MOCK_TOKEN = 'mock-token';
export const PRISM_PACKAGE = '@stoplight/prism-cli';
const DOCUMENT = path.join('generated', 'expiring-targets.openapi.yaml');

interface OwnManifest {
  name?: string;
  peerDependencies?: Record<string, string>;
}

function readManifest(dir: string): OwnManifest | undefined {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')) as OwnManifest;
  } catch {
    return undefined;
  }
}

/** This package's root: the nearest folder up from this file whose package.json is ours. */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (readManifest(dir)?.name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The one command that makes --mock work. The version range is the peer dependency's, so the
 * message can never drift from package.json (Prism 5.15 and later need a newer Node than 20).
 * It installs into the project of the current directory, which is one of the two places --mock
 * looks for Prism: that holds whether this package was installed there, globally, or run by npx.
 */
export function prismInstallCommand(root: string): string {
  const range = readManifest(root)?.peerDependencies?.[PRISM_PACKAGE];
  return `npm install --save-dev ${PRISM_PACKAGE}${range === undefined ? '' : `@${range}`}`;
}

export interface Mock {
  url: string;
  stop(): Promise<void>;
}

export async function startMock(cwd: string = process.cwd()): Promise<Mock> {
  const root = packageRoot();
  const document = root === undefined ? undefined : path.join(root, DOCUMENT);
  if (root === undefined || document === undefined || !existsSync(document)) {
    throw new MockUnavailableError(`--mock cannot find the bundled API description (${DOCUMENT}) next to the CLI`);
  }
  // Next to this package first (a project that installed both), else the current project.
  const fromCwd = pathToFileURL(path.join(cwd, 'noop.js')).href;
  const resolveFrom = prismBin() !== undefined ? undefined : prismBin(fromCwd) !== undefined ? fromCwd : null;
  if (resolveFrom === null) {
    throw new MockUnavailableError(
      `--mock needs Prism (${PRISM_PACKAGE}), which is not installed. Install it with: ${prismInstallCommand(root)}`,
    );
  }
  return startPrism({ document, ...(resolveFrom !== undefined && { resolveFrom }) });
}
