/**
 * The TypeScript examples of the README and the guides cannot rot: every ```ts block is
 * type-checked, with the project's compiler options, against the package's source (its public
 * entries mapped to src/ the way package.json's `exports` map them to dist/), and every block marked
 * ```ts runnable is bundled and run against the Prism mock of the test run.
 *
 * Each block is its own module. A block that uses something it does not define says so with a
 * `declare` line, as a reader would have to know it too. A block that cannot be checked (it needs a
 * package the project does not install, such as express) is marked ```ts no-check, followed by the
 * reason (```ts no-check needs express), and this test asks for the reason.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../support/project.js';
import { type CodeBlock, NOT_YET_CHECKED, codeBlocks, docFiles } from './doc-files.js';

const blocks = docFiles()
  .filter((f) => !NOT_YET_CHECKED.has(f))
  .flatMap(codeBlocks)
  .filter((b) => b.info[0] === 'ts' || b.info[0] === 'typescript');
const checked = blocks.filter((b) => !b.info.includes('no-check'));
const runnable = checked.filter((b) => b.info.includes('runnable'));

/** Where each public entry's source is: package.json's `exports` (`./dist/<name>.js`) read back to src/. */
function entrySources(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const sources: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const dist = (target as { import?: { default?: string } } | string | null) ?? '';
    const file = typeof dist === 'string' ? dist : (dist.import?.default ?? '');
    const name = /^\.\/dist\/([\w-]+)\.js$/.exec(file)?.[1];
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    if (name === undefined) {
      if (typeof dist === 'string') sources[specifier] = path.join(projectRoot, dist);
      continue;
    }
    const flat = path.join(projectRoot, 'src', `${name}.ts`);
    sources[specifier] = ts.sys.fileExists(flat) ? flat : path.join(projectRoot, 'src', name, 'index.ts');
  }
  return sources;
}
const sources = entrySources();

const virtualName = (b: CodeBlock) => path.join(projectRoot, '.doc-blocks', `${b.file.replace(/[/.]/g, '_')}_L${b.line}.mts`);

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(projectRoot, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, projectRoot);
  const paths = Object.fromEntries(Object.entries(sources).map(([specifier, file]) => [specifier, [path.relative(projectRoot, file)]]));
  return { ...options, noEmit: true, baseUrl: projectRoot, paths, noUnusedLocals: false };
}

describe('the code blocks of the README and the guides', () => {
  it('are found: the README and the guides hold TypeScript examples, runnable ones among them', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(runnable.length).toBeGreaterThanOrEqual(1);
    // A block left unchecked says why, on its fence.
    const unexplained = blocks.filter((b) => b.info.includes('no-check') && b.info.length <= b.info.indexOf('no-check') + 1);
    expect(unexplained.map((b) => `${b.file}:${b.line}`)).toEqual([]);
  });

  it('type-check against the source, each as its own module', () => {
    const files = new Map(checked.map((b) => [virtualName(b), { block: b, text: `${b.code}\nexport {};\n` }]));
    const options = compilerOptions();
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (f) => files.has(f) || fileExists(f);
    host.readFile = (f) => files.get(f)?.text ?? readFile(f);
    host.getSourceFile = (f, language, ...rest) => {
      const virtual = files.get(f);
      return virtual ? ts.createSourceFile(f, virtual.text, language, true) : getSourceFile(f, language, ...rest);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && files.has(d.file.fileName))
      .map((d) => {
        const { block } = files.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${block.file}:${block.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);

  // A plugin resolving the package's own name to its source; other packages stay external and load
  // from the project's node_modules when the bundle runs there.
  const packageSource: Plugin = {
    name: 'package-source',
    setup(b) {
      b.onResolve({ filter: /^ld-expiring-targets(\/.*)?$/ }, (args) => ({ path: sources[args.path] ?? args.path }));
      b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
    },
  };

  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s runs against the mock and exits 0',
    async (_name, block) => {
      const bundle = await build({
        stdin: { contents: block.code, resolveDir: projectRoot, loader: 'ts', sourcefile: `${block.file}:${block.line}` },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        logLevel: 'silent',
        plugins: [packageSource],
      });
      const code = bundle.outputFiles[0]!.text;
      // The mock's address reaches the example as MOCK_URL, the variable the guide tells readers to set.
      const child = spawn(process.execPath, ['--input-type=module', '-'], {
        cwd: projectRoot,
        env: { ...process.env, MOCK_URL: inject('prismUrl'), LD_API_KEY: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stdin.end(code);
      const exit = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(timer);
      expect({ exit, stderr }).toEqual({ exit: 0, stderr: '' });
      expect(stdout).not.toBe('');
    },
    60_000,
  );
});
