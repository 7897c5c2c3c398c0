/**
 * Builds what the admin page needs, skipping what is already there: the package's dist/ (when
 * missing or older than its sources), this example's own install (its lockfile, when missing),
 * then the page itself (vite build). Used by `npm run example:web` and the end-to-end test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = path.resolve(exampleDir, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The newest modification time under a folder, in ms. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return time;
}

/**
 * @param {{ log?: (line: string) => void, env?: NodeJS.ProcessEnv, stdio?: 'inherit' | 'pipe' }} [options]
 */
export function prepareWebAdmin(options = {}) {
  const log = options.log ?? (() => {});
  const run = (cwd, command, env = options.env ?? process.env) => {
    log(`${['npm', ...command].join(' ')} (in ${path.relative(rootDir, cwd) || '.'})`);
    // Bounded: a build that hangs fails instead of holding the terminal or CI for ever.
    execFileSync(npm, command, { cwd, stdio: options.stdio ?? 'inherit', env, timeout: 600_000 });
  };
  const builtEntries = ['index.js', 'proxy.js', 'query.js'].map((f) => path.join(rootDir, 'dist', f));
  const sourcesTime = Math.max(newest(path.join(rootDir, 'src')), newest(path.join(rootDir, 'generated')));
  if (builtEntries.some((f) => !existsSync(f) || statSync(f).mtimeMs < sourcesTime)) run(rootDir, ['run', 'build', '--silent']);
  if (!existsSync(path.join(exampleDir, 'node_modules', 'vite'))) run(exampleDir, ['ci', '--no-audit', '--no-fund']);
  // Vite takes NODE_ENV from the environment (a test runner sets it to `test`), and React ships its
  // development build unless it is `production`: the page is always built for production.
  run(exampleDir, ['run', 'build', '--silent'], { ...(options.env ?? process.env), NODE_ENV: 'production' });
  return { distDir: path.join(exampleDir, 'dist') };
}
