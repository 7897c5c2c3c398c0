/**
 * `npm start` ends by suggesting a next step; in a fresh clone that step must work as printed. The
 * bin lives in dist/, which only `npm run build` writes, so a suggestion that runs the bin must build
 * first, and every `npm run` it names must be a script. (The suggestion was run in a fresh clone
 * when it was written; this keeps it from drifting from package.json.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/project.js';

const demo = readFileSync(path.join(projectRoot, 'examples', 'demo.js'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};

describe("npm start's next step", () => {
  const suggested = /Next: '([^']+)'/.exec(demo)?.[1];

  it('is a command the demo prints', () => {
    expect(suggested).toBeDefined();
  });

  it('names only scripts that exist, and builds before it runs a bin that lives in dist/', () => {
    const steps = suggested!.split('&&').map((s) => s.trim());
    for (const step of steps) {
      const script = /^npm run (\S+)/.exec(step)?.[1];
      if (script !== undefined) expect(Object.keys(pkg.scripts)).toContain(script);
      const bin = /^npx (\S+)/.exec(step)?.[1];
      if (bin !== undefined) {
        expect(Object.keys(pkg.bin)).toContain(bin);
        if (pkg.bin[bin]!.startsWith('./dist/')) {
          expect(steps.slice(0, steps.indexOf(step))).toContain('npm run build');
          expect(pkg.scripts.build).toMatch(/\btsup\b/);
        }
      }
    }
  });
});
