/**
 * Saved plans on disk: written whole or not at all (a temporary file renamed over the target, so a
 * link at PATH is replaced, never followed), read as data (a regular file of bounded size). PATH
 * holds the plan of the last `plan --out PATH`, or nothing: never an older plan.
 */
import { constants } from 'node:fs';
import { lstat, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { readRegularFile } from '../sync/index.js';
import { UsageError } from './errors.js';

/** A saved plan is far smaller than its desired state; 64 MiB leaves room for the largest. */
const MAX_PLAN_BYTES = 64 * 1024 * 1024;

export async function writeSavedPlan(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}

export async function readSavedPlan(file: string, signal: AbortSignal): Promise<string> {
  return (await readRegularFile(file, { maxBytes: MAX_PLAN_BYTES, signal })).toString('utf8');
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);

/**
 * Makes way for this run's plan, before anything is read: an older file at `out` is removed, so a
 * run that ends with file errors, incomplete or interrupted leaves no plan that `sync --plan` would
 * apply. Returns whether a file was removed. `out` must be a regular file (or nothing) and not the
 * desired-state file `input` itself, even through a link (a UsageError, exit 2).
 */
export async function clearSavedPlan(out: string, input: string): Promise<boolean> {
  let found: Awaited<ReturnType<typeof lstat>>;
  try {
    found = await lstat(out);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    throw new UsageError(`--out ${JSON.stringify(out)} cannot be used (${codeOf(error)})`);
  }
  if (found.isDirectory()) throw new UsageError(`--out ${JSON.stringify(out)} is a folder: give the path of a file`);
  // Only a regular file is ever removed: a link, a FIFO or a device at --out is refused as it stands.
  if (!found.isFile()) throw new UsageError(`--out ${JSON.stringify(out)} is not a regular file: give the path of a file`);
  // The input followed through any link: a desired-state file reached by a link to --out is still itself.
  const source = await stat(input).catch(() => undefined);
  if (source !== undefined && source.dev === found.dev && source.ino === found.ino)
    throw new UsageError(`--out ${JSON.stringify(out)} is the desired-state file itself: give another path`);
  try {
    await unlink(out);
  } catch (error) {
    throw new UsageError(`the older ${JSON.stringify(out)} cannot be removed (${codeOf(error)}); nothing was read`);
  }
  return true;
}
