/** The commands: list, add / update / remove, apply. Each returns its exit code. */
import type { BulkProgress, PatchAllOptions } from '../bulk.js';
import type { BulkResult, BulkSummary, InstructionOutcome } from '../results.js';
import { InstructionValidationError, RequestAbortedError } from '../errors.js';
import type { FlagInstruction, SegmentInstruction } from '../instructions.js';
import type { RetryEvent } from '../options.js';
import type { Command, Where } from './args.js';
import { type AnyInstruction, type Change, buildChange, targetField, targetIdentity } from './changes.js';
import { type Connection, withConnection } from './connection.js';
import { EXIT, UsageError } from './exit-codes.js';
import { BIN } from './help.js';
import { changesIn, checkFile } from './input-file.js';
import { type Output, SCREEN_ROWS, jsonText, screenfulTable } from './output.js';
import { type ProgressSink, progressBar, silentProgress } from './progress.js';
import { changeCells, changeJson, describeWhere, exitCodeForRun, failedAsRequest, resultText, whereJson } from './report.js';
import { RowFile, assertWritable, outputPaths } from './retry-file.js';

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

type SendOptions = Omit<PatchAllOptions<AnyInstruction>, 'onOutcome'> & { signal: AbortSignal; allowPast: boolean };

async function sendAll(connection: Connection, where: Where, changes: readonly Change[], options: SendOptions): Promise<BulkResult<AnyInstruction>> {
  return where.resource === 'segment'
    ? connection.client.segments.patchAll(segmentRef(where), changes.map((c) => c.instruction as SegmentInstruction), options)
    : connection.client.flags.patchAll(flagRef(where), changes.map((c) => c.instruction as FlagInstruction), options);
}

/** `patchAll` over a stream: outcomes go to `onOutcome`, the result holds counts. */
async function sendStream(
  connection: Connection,
  where: Where,
  instructions: AsyncIterable<AnyInstruction>,
  options: SendOptions & { onOutcome: (outcome: InstructionOutcome<AnyInstruction>) => void },
): Promise<BulkSummary> {
  return where.resource === 'segment'
    ? connection.client.segments.patchAll(segmentRef(where), instructions as AsyncIterable<SegmentInstruction>, options)
    : connection.client.flags.patchAll(flagRef(where), instructions as AsyncIterable<FlagInstruction>, options);
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
        screenfulTable(
          ['context', field, 'expires at', 'version'],
          result.items.slice(0, SCREEN_ROWS).map((t) => [`${t.contextKind}:${t.contextKey}`, t[field] ?? '-', t.expiresAt.toISOString(), String(t._version)]),
          result.items.length,
          '--json lists them all',
        ),
      );
    }
    return EXIT.ok;
  });
}

/** Prints a dry run of changes given on the command line: a screenful, or all of them with `--json`. */
function printDryRun(out: Output, where: Where, changes: readonly Change[], json: boolean): number {
  if (json) {
    out.json({ ok: true, dryRun: true, ...whereJson(where), count: changes.length, instructions: changes.map((c) => c.instruction) });
    return EXIT.ok;
  }
  printDryRunText(out, where, changes.slice(0, SCREEN_ROWS), changes.length, false);
  return EXIT.ok;
}

function printDryRunText(out: Output, where: Where, shown: readonly Change[], count: number, withLines: boolean): void {
  out.out(`Dry run: ${count} instruction(s) for ${describeWhere(where)}; nothing was sent.`);
  out.out();
  const headers = ['operation', 'context', targetField(where.resource), 'time'];
  const rows = shown.map((c) => (withLines ? [String(c.line), ...changeCells(c)] : changeCells(c)));
  out.out(screenfulTable(withLines ? ['line', ...headers] : headers, rows, count, '--json lists every instruction'));
  out.out();
  out.out(count > shown.length ? `Instructions, as sent (the first ${shown.length}):` : 'Instructions, as sent:');
  for (const c of shown) out.out(jsonText(c.instruction));
}

/** Prints a dry run of a file, reading it again: a screenful, or (`--json`) every instruction, written as it is read. */
async function printFileDryRun(out: Output, where: Where, count: number, changes: AsyncGenerator<Change>, json: boolean): Promise<number> {
  if (!json) {
    const shown: Change[] = [];
    for await (const change of changes) {
      shown.push(change);
      if (shown.length === SCREEN_ROWS) break;
    }
    printDryRunText(out, where, shown, count, true);
    return EXIT.ok;
  }
  const head = jsonText({ ok: true, dryRun: true, ...whereJson(where), count, instructions: [] }, 2);
  await out.jsonPart(head.slice(0, head.lastIndexOf('[') + 1));
  let separator = '\n';
  let buffered = '';
  for await (const change of changes) {
    buffered += `${separator}    ${jsonText(change.instruction)}`;
    separator = ',\n';
    if (buffered.length >= 64 * 1024) {
      await out.jsonPart(buffered);
      buffered = '';
    }
  }
  await out.jsonPart(`${buffered}\n  ]\n}\n`);
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
  if (command.dryRun) return printDryRun(out, where, changes, json);
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
      screenfulTable(
        ['operation', 'context', targetField(where.resource), 'time', 'result'],
        result.outcomes.slice(0, SCREEN_ROWS).map((o) => [...changeCells(changes[o.index] as Change), resultText(o)]),
        result.outcomes.length,
        '--json lists them all',
      ),
    );
    if (result.stoppedBy) out.err(`\nstopped: ${result.stoppedBy.message}`);
    return code;
  });
}

/** A row that did not apply, as the summary shows it. */
interface Problem {
  line: number;
  change: Change;
  fate: InstructionOutcome<AnyInstruction>['fate'];
  message: string | null;
  result: string;
}

/** Rows that did not apply listed by `apply --json`; all of them are in the retry and unknown files. */
const PROBLEMS_IN_JSON = 1000;

/** The rows with the lowest line numbers among many, in memory that does not grow with them. */
class FirstLines<T extends { line: number }> {
  readonly #keep: number;
  #rows: T[] = [];
  /** Rows added, kept or not. */
  total = 0;
  constructor(keep: number) {
    this.#keep = keep;
  }
  add(row: T): void {
    this.total++;
    this.#rows.push(row);
    if (this.#rows.length >= 2 * this.#keep) this.#trim();
  }
  #trim(): void {
    this.#rows.sort((a, b) => a.line - b.line);
    if (this.#rows.length > this.#keep) this.#rows.length = this.#keep;
  }
  get rows(): readonly T[] {
    this.#trim();
    return this.#rows;
  }
}

/**
 * `apply FILE`: a first streaming pass checks every row (nothing is sent when one is bad), a
 * second streams the rows to `patchAll`; rows that did not apply go to the retry and unknown
 * files as their fates arrive. Memory does not grow with the file.
 */
export async function runApply(command: Extract<'apply'>, session: Session): Promise<number> {
  const { out } = session;
  const { where, json } = command;
  const paths = outputPaths(command.file, command.retryFile, command.unknownFile);
  if (!command.dryRun) {
    assertWritable(paths.retry);
    assertWritable(paths.unknown);
  }
  // One "now" for both passes, so a relative +30d means the same time in each.
  const now = Date.now();
  const checked = await checkFile(command.file, where.resource, now, command.allowPast, session.signal); // RowsError: exit 2
  const changes = () => changesIn(command.file, where.resource, now, command.allowPast);
  if (command.dryRun) return printFileDryRun(out, where, checked.rows, changes(), json);

  let bar: ProgressSink = silentProgress;
  return withConnection(command.connection, retryNotice(session, json, () => bar), async (connection) => {
    if (!json) out.out(`Applying ${checked.rows} row(s) from ${command.file} to ${describeWhere(where)}, via ${connection.target}`);
    if (session.interactive && !json) bar = progressBar((t) => out.errRaw(t), out.stderr, 'apply');
    const files = { retry: new RowFile(paths.retry, where.resource), unknown: new RowFile(paths.unknown, where.resource) };
    const problems = new FirstLines<Problem>(json ? PROBLEMS_IN_JSON : SCREEN_ROWS);
    let requestFailed = false;
    let writeError: string | undefined;
    // A file that cannot be written stops the run: rows that did not apply would be lost.
    const writing = new AbortController();
    const changeOf = new WeakMap<AnyInstruction, Change>();
    async function* instructions(): AsyncGenerator<AnyInstruction> {
      for await (const change of changes()) {
        changeOf.set(change.instruction, change);
        yield change.instruction;
      }
    }
    const onOutcome = (o: InstructionOutcome<AnyInstruction>) => {
      if (o.fate === 'applied') return;
      const change = changeOf.get(o.instruction) as Change;
      if (failedAsRequest(o)) requestFailed = true;
      const result = resultText(o);
      problems.add({ line: change.line ?? 0, change, fate: o.fate, message: o.message ?? null, result });
      if (writeError !== undefined) return;
      try {
        // Failed and not attempted: safe to send again. Unknown: may have applied, so kept apart.
        (o.fate === 'unknown' ? files.unknown : files.retry).add({ change, reason: `line ${change.line} of ${command.file}: ${result}` });
      } catch (error) {
        writeError = `could not write the rows that did not apply: ${(error as Error).message}`;
        writing.abort();
      }
    };
    let summary: BulkSummary;
    try {
      summary = await sendStream(connection, where, instructions(), {
        signal: AbortSignal.any([session.signal, writing.signal]),
        comment: command.comment,
        allowPast: command.allowPast,
        batchSize: command.batchSize,
        concurrency: command.concurrency,
        onOutcome,
        onProgress: (p: BulkProgress) => bar.update({ ...p, total: checked.rows }),
      });
    } finally {
      bar.finish();
    }
    const written: { retryFile: string | null; unknownFile: string | null } = { retryFile: null, unknownFile: null };
    for (const [key, file] of [
      ['retryFile', files.retry],
      ['unknownFile', files.unknown],
    ] as const) {
      try {
        if (writeError === undefined) written[key] = file.commit() ?? null;
        else file.discard();
      } catch (error) {
        writeError = `could not write the rows that did not apply: ${(error as Error).message}`;
      }
    }
    let code = exitCodeForRun(summary, requestFailed);
    if (writeError !== undefined && !session.signal.aborted) code = EXIT.api;
    const { counts } = summary;
    const stopped =
      writeError ?? (summary.stoppedBy instanceof RequestAbortedError && session.signal.aborted ? `interrupted (${String(session.signal.reason)})` : summary.stoppedBy?.message);
    const listed = problems.rows;
    if (json) {
      out.json({
        ok: summary.ok && writeError === undefined,
        exitCode: code,
        ...whereJson(where),
        file: command.file,
        counts: {
          total: counts.total,
          applied: counts.applied,
          failed: counts.failed,
          unknown: counts.unknown,
          notAttempted: counts.notAttempted,
          reconciled: counts.reconciled,
        },
        ...written,
        stoppedBy: stopped ?? null,
        ...(writeError && { writeError }),
        problems: listed.map((p) => ({ ...changeJson(p.change, where.resource), fate: p.fate, message: p.message })),
        problemsNotListed: problems.total - listed.length,
      });
      return code;
    }
    out.out();
    out.out(`Summary of ${counts.total} row(s):`);
    const summaryRows: [string, number][] = [
      ['applied', counts.applied],
      ['failed', counts.failed],
      ['unknown', counts.unknown],
      ['not attempted', counts.notAttempted],
      ['reconciled', counts.reconciled],
    ];
    for (const [label, n] of summaryRows) out.out(`  ${label.padEnd(14)}${String(n).padStart(String(counts.total).length)}`);
    if (stopped !== undefined) out.out(`\nThe run stopped early: ${stopped}`);
    if (problems.total > 0) {
      out.out();
      out.out(
        screenfulTable(
          ['line', 'operation', 'context', targetField(where.resource), 'time', 'result'],
          listed.map((p) => [String(p.line), ...changeCells(p.change), p.result]),
          problems.total,
          written.retryFile || written.unknownFile ? 'all are in the files below' : '--json lists the first 1000',
        ),
      );
    }
    out.out();
    if (written.retryFile) {
      out.out(`${files.retry.rows} row(s) did not apply (failed or not attempted): written to ${written.retryFile}`);
      out.out(`  fix what the reason column says, then: ${BIN} ${where.resource} apply ${written.retryFile} …`);
    }
    if (written.unknownFile) {
      out.out(`${files.unknown.rows} row(s) may or may not have applied (unknown): written to ${written.unknownFile}`);
      out.out(`  review them (${where.resource} list) before applying that file: they are not in the retry file`);
    }
    if (writeError) out.err(`error: ${writeError}`);
    if (summary.ok) out.out(`All ${counts.total} row(s) applied.`);
    return code;
  });
}
