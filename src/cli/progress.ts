/**
 * A one-line progress bar for `apply`, redrawn on stderr after every batch.
 *
 * Why not a library: `patchAll` reports after each batch (every 50 instructions by default), so all
 * that is needed is one line redrawn in place and cleared at the end. cli-progress (last release
 * 2023, with a string-width dependency) and progress (last release 2019) bring multi-bar, ETA and
 * throttling machinery for a job this size of code does, and would sit in the CLI bundle for it.
 */
import type { BulkProgress } from '../core/bulk.js';
import type { RetryEvent } from '../core/options.js';
import { type Writable, neutralize } from './output.js';

export interface ProgressSink {
  update(progress: BulkProgress): void;
  /** Prints a line above the bar (a retry notice) without garbling it. */
  note(text: string): void;
  /** Clears the bar. */
  finish(): void;
}

export const silentProgress: ProgressSink = { update() {}, note() {}, finish() {} };

const CLEAR_LINE = '\r\x1b[2K';

export function progressBar(write: (text: string) => void, stream: Writable, label: string, now: () => number = Date.now): ProgressSink {
  let lastDraw = Number.NEGATIVE_INFINITY;
  let last: BulkProgress | undefined;
  let drawn = false;
  const draw = (p: BulkProgress) => {
    const columns = stream.columns ?? 80;
    const counts = ` ${p.done}/${p.total}  applied ${p.applied}  failed ${p.failed}  unknown ${p.unknown}`;
    const width = Math.max(10, Math.min(30, columns - label.length - counts.length - 4));
    const filled = p.total === 0 ? width : Math.min(width, Math.round((p.done / p.total) * width));
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${counts}`;
    write(`${CLEAR_LINE}${line.slice(0, Math.max(1, columns - 1))}`);
    drawn = true;
    lastDraw = now();
  };
  return {
    update(p) {
      last = p;
      // At most ten redraws a second, but always the last one.
      if (p.done >= p.total || now() - lastDraw >= 100) draw(p);
    },
    note(text) {
      write(`${drawn ? CLEAR_LINE : ''}${neutralize(text)}\n`);
      if (last) draw(last);
    },
    finish() {
      if (drawn) write(CLEAR_LINE);
      drawn = false;
    },
  };
}

/** The client's `onRetry`: a note above the progress bar (none with `--json`, whose output is one document). */
export function retryNotice(json: boolean, progress: () => ProgressSink): (e: RetryEvent) => void {
  return (e) => {
    if (json) return;
    const why = e.status !== undefined ? `HTTP ${e.status}` : (e.error ?? 'an error');
    progress().note(`retrying ${e.method} in ${(e.delayMs / 1000).toFixed(1)} s after ${why} (attempt ${e.attempt})`);
  };
}
