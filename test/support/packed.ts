/**
 * Packs the package the way a publish from a clean checkout would, and installs the tarball into a
 * temporary consumer project outside the repository, without the network.
 *
 * The tarball: by default, `npm pack` (scripts on, so `prepack` builds dist/) in a scratch copy
 * holding only what a clone of this branch would hold (git's tracked files plus new files that are
 * not ignored; no dist/), with this repository's node_modules linked in. So a package.json whose
 * `prepack` or `files` forgets something fails here, not after publishing; and several people
 * building in this tree at once can neither feed it a stale dist/ nor clean it away halfway. With
 * PACKED_TARBALL set (CI sets it to what `npm pack` made in its own clean clone), that tarball is
 * tested instead.
 *
 * Why not `npm install <tarball>`: that needs the registry (or a warm cache) to fetch openapi-fetch,
 * which makes a test slow and flaky for reasons that are not ours. Instead the tarball is unpacked
 * into node_modules/ld-expiring-targets exactly as npm would lay it out, its `bin` entries are
 * linked into node_modules/.bin as npm links them, and the dependencies it declares are copied
 * (with their own dependencies, in the same folder layout) from this repository's node_modules,
 * after checking that the copied versions satisfy the declared ranges. The consumer lives in the
 * OS temp dir, so Node and TypeScript cannot fall back to the repo's modules.
 */
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { projectRoot } from './project.js';

export const run = promisify(execFile);

export const PACKAGE_NAME = 'ld-expiring-targets';

export interface PackedManifest {
  name: string;
  version: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface PackedConsumer {
  /** The temporary root; holds the checkout copy, the tarball and consumer/. */
  root: string;
  /** The consumer project: node_modules/ld-expiring-targets and its dependencies, nothing else. */
  dir: string;
  tarball: string;
  /** Every file path in the tarball, relative to the package folder. */
  files: string[];
  /** The package.json inside the tarball. */
  manifest: PackedManifest;
  /** The dependency packages copied in, name → version. */
  copied: Record<string, string>;
  /**
   * Stands in for `npm install name@range` in the consumer: copies the package and everything it
   * depends on from this repository's node_modules, after checking the version satisfies `range`.
   */
  install(packages: Record<string, string>): Promise<void>;
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

/**
 * Copies `names` and everything they depend on from the repo into `consumerDir`, each package at
 * the same place relative to the project as in this repository (a nested copy stays nested, so a
 * package that needs another major of a dependency still gets it).
 */
async function copyClosure(names: Record<string, string>, consumerDir: string, copied: Record<string, string>): Promise<void> {
  const queue: { name: string; range: string; from: string }[] = Object.entries(names).map(([name, range]) => ({
    name,
    range,
    from: projectRoot,
  }));
  const done = new Set<string>();
  while (queue.length > 0) {
    const { name, range, from } = queue.shift()!;
    const source = packageDir(name, from);
    const pkg = JSON.parse(await readFile(path.join(source, 'package.json'), 'utf8')) as PackedManifest;
    if (!satisfies(pkg.version, range)) {
      throw new Error(`${name}@${pkg.version} in this repo does not satisfy the declared range ${range}`);
    }
    if (done.has(source)) continue;
    done.add(source);
    copied[name] ??= pkg.version;
    const nested = path.join(source, 'node_modules');
    await cp(source, path.join(consumerDir, path.relative(projectRoot, source)), {
      recursive: true,
      dereference: true,
      filter: (file) => file !== nested,
    });
    for (const [dep, depRange] of Object.entries(pkg.dependencies ?? {})) queue.push({ name: dep, range: depRange, from: source });
  }
}

/** What a clone would hold: tracked files, and new ones that are not ignored (so dist/ is not). */
async function copyCheckout(target: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    // A tracked file deleted in the working tree is gone from the next commit too.
    if (!existsSync(path.join(projectRoot, file))) continue;
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await cp(path.join(projectRoot, file), path.join(target, file));
  }
  await symlink(path.join(projectRoot, 'node_modules'), path.join(target, 'node_modules'), 'dir');
}

/** `npm pack` in a fresh copy of the checkout, scripts on: what publishing from a clean clone ships. */
export async function packCheckout(root: string): Promise<string> {
  const checkout = path.join(root, 'checkout');
  await copyCheckout(checkout);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', root], {
    cwd: checkout,
    env: { ...process.env, npm_config_loglevel: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as { filename: string }[];
  if (!packed) throw new Error(`npm pack printed no result: ${stdout}`);
  return path.join(root, packed.filename);
}

/** Links each `bin` of the installed package into node_modules/.bin, executable, as npm does. */
async function linkBins(dir: string, manifest: PackedManifest): Promise<void> {
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  const binDir = path.join(dir, 'node_modules', '.bin');
  await mkdir(binDir, { recursive: true });
  for (const [name, target] of Object.entries(bins)) {
    const file = path.join(dir, 'node_modules', manifest.name, target);
    if (!existsSync(file)) throw new Error(`the tarball's bin ${name} is ${target}, which the tarball does not hold`);
    await chmod(file, 0o755);
    await symlink(path.relative(binDir, file), path.join(binDir, name));
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(dir, entry.name), relative)));
    else files.push(relative);
  }
  return files;
}

/**
 * @param devDependencies packages the consumer itself needs (e.g. `@types/node` for a Node
 *   type-check), copied from the repo the same way.
 */
export async function preparePackedConsumer(devDependencies: Record<string, string> = {}): Promise<PackedConsumer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ld-et-packed-'));
  try {
    const given = process.env.PACKED_TARBALL ?? inject('packedTarball');
    const tarball = given ? path.resolve(given) : await packCheckout(root);

    const dir = path.join(root, 'consumer');
    const installed = path.join(dir, 'node_modules', PACKAGE_NAME);
    await mkdir(installed, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }, null, 2));

    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as PackedManifest;
    await linkBins(dir, manifest);
    const copied: Record<string, string> = {};
    await copyClosure({ ...manifest.dependencies, ...devDependencies }, dir, copied);
    return {
      root,
      dir,
      tarball,
      files: await listFiles(installed),
      manifest,
      copied,
      install: (packages) => copyClosure(packages, dir, copied),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
