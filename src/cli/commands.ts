/** The commands: list, add / update / remove, apply. Each returns its exit code. */
import type { BulkProgress } from '../bulk.js';
import type { BulkResult } from '../results.js';
import { InstructionValidationError } from '../errors.js';
import type { FlagInstruction, SegmentInstruction } from '../instructions.js';
import type { RetryEvent } from '../options.js';
import type { Command, Where } from './args.js';
import { type AnyInstruction, type Change, buildChange, targetField, targetIdentity } from './changes.js';
import { type Connection, withConnection } from './connection.js';
import { EXIT, UsageError } from './exit-codes.js';
import { BIN } from './help.js';
import { readChanges } from './input-file.js';
import { type Output, table } from './output.js';
import { type ProgressSink, progressBar, silentProgress } from './progress.js';
import { changeCells, changeJson, describeWhere, exitCodeForRun, resultText, whereJson } from './report.js';
import { type RowToWrite, outputPaths, writeRows } from './retry-file.js';

type Extract<K extends Command['kind']> = Command & { kind: K };

export interface Session {
  out: Output;
  signal: AbortSignal;
  /** Whether a progress bar may be drawn (stdout and stderr are terminals). */
  interactive: boolean;
}

export function retryNotice(session: Session, json: boolean, progress: () => ProgressSink) {
  return (e: RetryEvent) => {
    if (json) return;
    const why = e.status !== undefined ? `HTTP ${e.status}` : (e.error ?? 'an error');
    progress().note(`retrying ${e.method} in ${(e.delayMs / 1000).toFixed(1)} s after ${why} (attempt ${e.attempt})`);
  };
}

const segmentRef = (w: Where) => ({ projectKey: w.project, environmentKey: w.env, segmentKey: w.key });
const flagRef = (w: Where) => ({ projectKey: w.project, environmentKey: w.env, flagKey: w.key });

async function sendAll(
  connection: Connection,
  where: Where,
  changes: readonly Change[],
  options: {
    signal: AbortSignal;
    comment: string | undefined;
    allowPast: boolean;
    batchSize?: number | undefined;
    concurrency?: number | undefined;
    onProgress?: (p: BulkProgress) => void;
  },
): Promise<BulkResult<AnyInstruction>> {
  const call = { ...options };
  return where.resource === 'segment'
    ? connection.client.segments.patchAll(segmentRef(where), changes.map((c) => c.instruction as SegmentInstruction), call)
    : connection.client.flags.patchAll(flagRef(where), changes.map((c) => c.instruction as FlagInstruction), call);
}

export async function runList(command: Extract<'list'>, session: Session): Promise<number> {
  const { out } = session;
  const { where, json } = command;
  return withConnection(command.connection, retryNotice(session, json, () => silentProgress), async (connection) => {
    const result =
      where.resource === 'segment'
        ? await connection.client.segments.get(segmentRef(where), { signal: session.signal })
        : await connection.client.flags.get(flagRef(where), { signal: session.signal });
    const field = targetField(where.resource);
    if (json) {
      out.json({
        ok: true,
        ...whereJson(where),
        items: result.items.map((t) => ({
          contextKind: t.contextKind,
          contextKey: t.contextKey,
          [field]: t[field] ?? null,
          expiresAt: t.expiresAt.toISOString(),
          expirationDate: t.expirationDate,
          version: t._version,
        })),
      });
      return EXIT.ok;
    }
    out.out(`Expiring targets of ${describeWhere(where)}, from ${connection.target}: ${result.items.length}`);
    if (result.items.length > 0) {
      out.out();
      out.out(
        table(
          ['context', field, 'expires at', 'version'],
          result.items.map((t) => [`${t.contextKind}:${t.contextKey}`, t[field] ?? '-', t.expiresAt.toISOString(), String(t._version)]),
        ),
      );
    }
    return EXIT.ok;
  });
}

function printDryRun(out: Output, where: Where, changes: readonly Change[], json: boolean, withLines: boolean): number {
  if (json) {
    out.json({ ok: true, dryRun: true, ...whereJson(where), count: changes.length, instructions: changes.map((c) => c.instruction) });
    return EXIT.ok;
  }
  out.out(`Dry run: ${changes.length} instruction(s) for ${describeWhere(where)}; nothing was sent.`);
  out.out();
  const headers = ['operation', 'context', targetField(where.resource), 'time'];
  out.out(table(withLines ? ['line', ...headers] : headers, changes.map((c) => (withLines ? [String(c.line), ...changeCells(c)] : changeCells(c)))));
  out.out();
  out.out('Instructions:');
  for (const c of changes) out.out(JSON.stringify(c.instruction));
  return EXIT.ok;
}

export async function runChange(command: Extract<'change'>, session: Session): Promise<number> {
  const { out } = session;
  const { where, json } = command;
  const changes: Change[] = [];
  const seen = new Set<string>();
  for (const input of command.inputs) {
    let change: Change;
    try {
      change = buildChange(where.resource, input, command.allowPast);
    } catch (error) {
      if (!(error instanceof InstructionValidationError)) throw error;
      // Name the options, not the helper's fields.
      const option: Record<string, string> = { targetType: '--target-type', variationId: '--variation', contextKind: '--context', contextKey: '--context', expiresAt: '--at' };
      throw new UsageError(error.issues.map((i) => `${option[i.field] ?? i.field} ${i.message}`).join('; '));
    }
    if (seen.has(targetIdentity(where.resource, change))) throw new UsageError(`--context ${change.contextKind}:${change.contextKey} is given twice`);
    seen.add(targetIdentity(where.resource, change));
    changes.push(change);
  }
  if (command.dryRun) return printDryRun(out, where, changes, json, false);
  return withConnection(command.connection, retryNotice(session, json, () => silentProgress), async (connection) => {
    const result = await sendAll(connection, where, changes, { signal: session.signal, comment: command.comment, allowPast: command.allowPast });
    const code = exitCodeForRun(result);
    if (json) {
      out.json({
        ok: result.ok,
        exitCode: code,
        ...whereJson(where),
        results: result.outcomes.map((o) => ({
          ...changeJson(changes[o.index] as Change, where.resource),
          fate: o.fate,
          ...(o.fate !== 'applied' && { message: o.message ?? null }),
        })),
        counts: result.counts,
      });
      return code;
    }
    out.out(`${describeWhere(where)}, via ${connection.target}:`);
    out.out();
    out.out(
      table(
        ['operation', 'context', targetField(where.resource), 'time', 'result'],
        result.outcomes.map((o) => [...changeCells(changes[o.index] as Change), resultText(o)]),
      ),
    );
    if (result.stoppedBy) out.err(`\nstopped: ${result.stoppedBy.message}`);
    return code;
  });
}

export async function runApply(command: Extract<'apply'>, session: Session): Promise<number> {
  const { out } = session;
  const { where, json } = command;
  const paths = outputPaths(command.file, command.retryFile, command.unknownFile);
  const { changes } = readChanges(command.file, where.resource, Date.now(), command.allowPast); // RowsError: exit 2
  if (command.dryRun) return printDryRun(out, where, changes, json, true);

  let bar: ProgressSink = silentProgress;
  return withConnection(command.connection, retryNotice(session, json, () => bar), async (connection) => {
    if (!json) out.out(`Applying ${changes.length} row(s) from ${command.file} to ${describeWhere(where)}, via ${connection.target}`);
    if (session.interactive && !json) bar = progressBar((t) => out.errRaw(t), out.stderr, 'apply');
    let result: BulkResult<AnyInstruction>;
    try {
      result = await sendAll(connection, where, changes, {
        signal: session.signal,
        comment: command.comment,
        allowPast: command.allowPast,
        batchSize: command.batchSize,
        concurrency: command.concurrency,
        onProgress: (p) => bar.update(p),
      });
    } finally {
      bar.finish();
    }
    const row = (o: (typeof result.outcomes)[number]): RowToWrite => {
      const change = changes[o.index] as Change;
      return { change, reason: `line ${change.line} of ${command.file}: ${resultText(o)}` };
    };
    // Failed and not attempted: safe to send again. Unknown: may have applied, so kept apart.
    const retry = result.outcomes.filter((o) => o.fate === 'failed' || o.fate === 'notAttempted').map(row);
    const unknown = result.outcomes.filter((o) => o.fate === 'unknown').map(row);
    const written: { retryFile: string | null; unknownFile: string | null } = { retryFile: null, unknownFile: null };
    let writeError: string | undefined;
    try {
      if (retry.length > 0) {
        writeRows(paths.retry, where.resource, retry);
        written.retryFile = paths.retry;
      }
      if (unknown.length > 0) {
        writeRows(paths.unknown, where.resource, unknown);
        written.unknownFile = paths.unknown;
      }
    } catch (error) {
      writeError = `could not write the rows that did not apply: ${(error as Error).message}`;
    }
    let code = exitCodeForRun(result);
    if (writeError && code === EXIT.ok) code = EXIT.api;
    const counts = {
      total: result.counts.total,
      applied: result.counts.applied,
      failed: result.counts.failed,
      unknown: result.counts.unknown,
      notAttempted: result.counts.notAttempted,
      reconciled: result.counts.reconciled,
    };
    if (json) {
      out.json({
        ok: result.ok && !writeError,
        exitCode: code,
        ...whereJson(where),
        file: command.file,
        counts,
        ...written,
        stoppedBy: result.stoppedBy?.message ?? null,
        ...(writeError && { writeError }),
        problems: result.outcomes
          .filter((o) => o.fate !== 'applied')
          .map((o) => ({ ...changeJson(changes[o.index] as Change, where.resource), fate: o.fate, message: o.message ?? null })),
      });
      return code;
    }
    out.out();
    out.out(`Summary of ${counts.total} row(s):`);
    const summary: [string, number][] = [
      ['applied', counts.applied],
      ['failed', counts.failed],
      ['unknown', counts.unknown],
      ['not attempted', counts.notAttempted],
      ['reconciled', counts.reconciled],
    ];
    for (const [label, n] of summary) out.out(`  ${label.padEnd(14)}${String(n).padStart(String(counts.total).length)}`);
    if (result.stoppedBy) out.out(`\nThe run stopped early: ${result.stoppedBy.message}`);
    const shown = result.outcomes.filter((o) => o.fate !== 'applied');
    if (shown.length > 0) {
      out.out();
      out.out(
        table(
          ['line', 'operation', 'context', targetField(where.resource), 'time', 'result'],
          shown.slice(0, 20).map((o) => [String(changes[o.index]?.line), ...changeCells(changes[o.index] as Change), resultText(o)]),
        ),
      );
      if (shown.length > 20) out.out(`… and ${shown.length - 20} more (all are in the files below)`);
    }
    out.out();
    if (written.retryFile) {
      out.out(`${retry.length} row(s) did not apply (failed or not attempted): written to ${written.retryFile}`);
      out.out(`  fix what the reason column says, then: ${BIN} ${where.resource} apply ${written.retryFile} …`);
    }
    if (written.unknownFile) {
      out.out(`${unknown.length} row(s) may or may not have applied (unknown): written to ${written.unknownFile}`);
      out.out(`  review them (${where.resource} list) before applying that file: they are not in the retry file`);
    }
    if (writeError) out.err(`error: ${writeError}`);
    if (result.ok) out.out(`All ${counts.total} row(s) applied.`);
    return code;
  });
}
