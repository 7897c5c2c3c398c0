/**
 * Saved plans on disk: written whole or not at all (a temporary file renamed over the target, so a
 * link at PATH is replaced, never followed), read as data (a regular file of bounded size).
 */
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { readRegularFile } from '../sync/index.js';

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
