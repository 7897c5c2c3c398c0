/**
 * The front door stays short, and no link of the README, the contributor guides or docs/ leads
 * nowhere: every relative link names a file of the repository (anchors are not checked).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/project.js';
import { NOT_YET_CHECKED, docFiles, relativeLinks } from './doc-files.js';

/**
 * Guides (and one folder) that other work in progress is writing, named before they exist. Each entry goes once its
 * file is on main (the test then checks it like any other link). Until then `npm run docs` warns
 * about the link too, and TypeDoc fails on warnings.
 */
const BEING_WRITTEN = new Set<string>([]);

/** Paths the docs name that a command writes: they exist only after it ran. */
const GENERATED_ON_DEMAND = new Set(['docs/api/', 'docs/api', 'dist/cli.js', 'reports/mutation/mutation.html']);

describe('the docs', () => {
  it('README.md is at most 300 lines', () => {
    const lines = readFileSync(path.join(projectRoot, 'README.md'), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    expect(lines.length).toBeLessThanOrEqual(300);
  });

  it('README, ARCHITECTURE, CONTRIBUTING and the guides exist', () => {
    const files = docFiles();
    for (const f of [
      'README.md',
      'ARCHITECTURE.md',
      'CONTRIBUTING.md',
      'docs/results-and-errors.md',
      'docs/retries-and-bulk.md',
      'docs/cli.md',
      'docs/troubleshooting.md',
      'docs/mock.md',
    ]) {
      expect(files).toContain(f);
    }
  });

  it('every relative link resolves to a file of the repository', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const { line, target } of relativeLinks(file)) {
        const resolved = path.normalize(path.join(path.dirname(file), decodeURIComponent(target.split('#')[0]!)));
        if (resolved.startsWith('..')) broken.push(`${file}:${line}: ${target} leaves the repository`);
        else if (!existsSync(path.join(projectRoot, resolved)) && !BEING_WRITTEN.has(resolved)) broken.push(`${file}:${line}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the links checked are real: the README links every guide', () => {
    const targets = relativeLinks('README.md').map((l) => l.target.split('#')[0]);
    for (const guide of [
      'docs/results-and-errors.md',
      'docs/retries-and-bulk.md',
      'docs/cli.md',
      'docs/troubleshooting.md',
      'docs/mock.md',
      'docs/proxy.md',
      'docs/sync.md',
      'ARCHITECTURE.md',
      'CONTRIBUTING.md',
    ]) {
      expect(targets).toContain(guide);
    }
  });
});

describe('the paths the docs name', () => {
  // `src/core/http.ts`, `test/support/`, `generated/schema.ts`: a path in backticks that starts with one of
  // the repository's folders must exist, so a guide cannot go on naming a file after it moved.
  const FOLDERS = ['src', 'test', 'generated', 'openapi', 'scripts', 'bench', 'examples', 'schemas', 'docs', '.changeset', '.ci'];
  const named = (file: string) =>
    [...readFileSync(path.join(projectRoot, file), 'utf8').matchAll(/`([\w.-]+\/[\w./-]*)`/g)]
      .map((m) => m[1]!)
      .filter((p) => FOLDERS.includes(p.split('/')[0]!) && !/[*<>]/.test(p));

  it('every repository path in ARCHITECTURE.md, CONTRIBUTING.md and the guides exists', () => {
    const missing = docFiles()
      .filter((file) => !NOT_YET_CHECKED.has(file))
      .flatMap((file) =>
        named(file)
          .filter((p) => !existsSync(path.join(projectRoot, p)) && !BEING_WRITTEN.has(p) && !GENERATED_ON_DEMAND.has(p))
          .map((p) => `${file}: ${p}`),
      );
    expect(missing).toEqual([]);
  });
});
