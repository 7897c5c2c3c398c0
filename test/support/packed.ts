/**
 * Builds the package into a scratch copy, packs it with `npm pack`, and installs the tarball into
 * a temporary consumer project outside the repository, without the network.
 *
 * Why not `npm install <tarball>`: that needs the registry (or a warm cache) to fetch openapi-fetch,
 * which makes a test slow and flaky for reasons that are not ours. Instead the tarball is unpacked
 * into node_modules/ld-expiring-targets exactly as npm would lay it out, and the dependencies it
 * declares are copied (with their own dependencies) from this repository's node_modules, after
 * checking that the copied versions satisfy the ranges the packed package.json declares. The
 * consumer lives in the OS temp dir, so Node and TypeScript cannot fall back to the repo's modules.
 *
 * Why build into a scratch copy instead of packing the repo: several people work in this tree at
 * once; a fresh tsup build from the committed config into a private folder can neither be stale
 * nor be cleaned away by someone else's build halfway through the test.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './project.js';

export const run = promisify(execFile);

export const PACKAGE_NAME = 'ld-expiring-targets';

export interface PackedFile {
  path: string;
  size: number;
}

export interface PackedManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface PackedConsumer {
  /** The temporary root; holds staging/, the tarball and consumer/. */
  root: string;
  /** The consumer project: node_modules/ld-expiring-targets and its dependencies, nothing else. */
  dir: string;
  tarball: string;
  /** What `npm pack` put in the tarball. */
  files: PackedFile[];
  /** The package.json inside the tarball. */
  manifest: PackedManifest;
  /** The dependency packages copied in, name → version. */
  copied: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Finds `name`'s folder the way Node would from `fromDir`, walking up node_modules folders. */
function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${name} from ${fromDir}`);
  }
}

/** A tiny check of `version` against the `^x.y.z` / `x.y` / exact ranges this project uses. */
export function satisfies(version: string, range: string): boolean {
  const [maj, min, pat] = version.split('.').map((n) => Number.parseInt(n, 10)) as [number, number, number];
  const m = /^(\^|~)?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) return true; // anything fancier: let npm be the judge
  const [, op, a, b, c] = m;
  const rMaj = Number(a);
  const rMin = b === undefined ? undefined : Number(b);
  const rPat = c === undefined ? undefined : Number(c);
  if (maj !== rMaj) return false;
  if (rMin === undefined) return true;
  if (op === '^' && rMaj > 0) return min > rMin || (min === rMin && pat >= (rPat ?? 0));
  if (min !== rMin) return false;
  return rPat === undefined || (op ? pat >= rPat : pat === rPat);
}

/** Copies `names` and everything they depend on from the repo into `consumerDir/node_modules`. */
async function copyClosure(names: Record<string, string>, consumerDir: string, copied: Record<string, string>): Promise<void> {
  const queue: { name: string; range: string; from: string }[] = Object.entries(names).map(([name, range]) => ({
    name,
    range,
    from: projectRoot,
  }));
  while (queue.length > 0) {
    const { name, range, from } = queue.shift()!;
    const source = packageDir(name, from);
    const pkg = JSON.parse(await readFile(path.join(source, 'package.json'), 'utf8')) as PackedManifest;
    if (!satisfies(pkg.version, range)) {
      throw new Error(`${name}@${pkg.version} in this repo does not satisfy the declared range ${range}`);
    }
    if (copied[name] !== undefined) continue;
    copied[name] = pkg.version;
    await cp(source, path.join(consumerDir, 'node_modules', name), { recursive: true, dereference: true });
    for (const [dep, depRange] of Object.entries(pkg.dependencies ?? {})) queue.push({ name: dep, range: depRange, from: source });
  }
}

/**
 * @param devDependencies packages the consumer itself needs (e.g. `@types/node` for a Node
 *   type-check), copied from the repo the same way.
 */
export async function preparePackedConsumer(devDependencies: Record<string, string> = {}): Promise<PackedConsumer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ld-et-packed-'));
  try {
    const staging = path.join(root, 'staging');
    await mkdir(staging);
    // What npm would publish from here: package.json's `files` (dist/ is built below) and the
    // files npm always adds.
    const own = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { files?: string[] };
    const listed = (own.files ?? []).filter((f) => !/^(\.\/)?dist(\/|$)/.test(f));
    for (const file of ['package.json', 'README.md', 'LICENSE', 'LICENSE.md', 'NOTICE', ...listed]) {
      if (existsSync(path.join(projectRoot, file))) {
        await cp(path.join(projectRoot, file), path.join(staging, file), { recursive: true });
      }
    }
    const tsup = path.join(packageDir('tsup', projectRoot), 'dist', 'cli-default.js');
    await run(process.execPath, [tsup, '--silent', '--out-dir', path.join(staging, 'dist')], { cwd: projectRoot });

    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root], { cwd: staging });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: PackedFile[] }[];
    if (!packed) throw new Error(`npm pack printed no result: ${stdout}`);
    const tarball = path.join(root, packed.filename);

    const dir = path.join(root, 'consumer');
    const installed = path.join(dir, 'node_modules', PACKAGE_NAME);
    await mkdir(installed, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }, null, 2));

    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as PackedManifest;
    const copied: Record<string, string> = {};
    await copyClosure({ ...manifest.dependencies, ...devDependencies }, dir, copied);
    return { root, dir, tarball, files: packed.files, manifest, copied, cleanup: () => rm(root, { recursive: true, force: true }) };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
