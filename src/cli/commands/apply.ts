/**
 * `<segment|flag> apply FILE`: every row of a CSV or JSON Lines file, checked in full before any
 * is sent; rows that did not apply go to a retry file, rows whose fate is unknown to another.
 */
import type { BulkProgress } from '../../core/bulk.js';
import { RequestAbortedError } from '../../core/errors.js';
import type { BulkSummary, InstructionOutcome } from '../../core/results.js';
import { type AnyInstruction, type Change, targetField } from '../changes.js';
import { type Session, defineCommand } from '../command.js';
import { type Connection, type ConnectionArgs, connectionOf, withConnection } from '../connection.js';
import { printFileDryRun } from '../dry-run.js';
import { EXIT, exitCodeForRun, failedAsRequest } from '../exit-codes.js';
import { BIN } from '../help.js';
import { changesIn, checkFile } from '../check-file.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { SCREEN_ROWS, screenfulTable } from '../output.js';
import { optionalString, positiveInteger } from '../parser.js';
import { type ProgressSink, progressBar, retryNotice, silentProgress } from '../progress.js';
import { changeCells, changeJson, describeWhere, resultText, whereJson } from '../report.js';
import { RowFile, assertWritable, outputPaths } from '../retry-file.js';
import { GUARD_HELP } from '../spreadsheet.js';
import { type Where, apiOf, kindOr, refOf, targetExamples, whereOf, whereOptions } from '../where.js';

export interface ApplyArgs {
  where: Where;
  connection: ConnectionArgs;
  json: boolean;
  file: string;
  allowPast: boolean;
  dryRun: boolean;
  comment: string | undefined;
  retryFile: string | undefined;
  unknownFile: string | undefined;
  batchSize: number | undefined;
  concurrency: number | undefined;
}

/** The file formats, for `--help`. */
function fileFormat(resource: Where['resource'] | undefined): string {
  const [first, second] = targetExamples(resource);
  return `FILE is CSV with a header row:
  action,contextKind,contextKey,${targetField(kindOr(resource))},expiresAt
  add,user,alice,${first},2030-12-31T00:00:00Z
  remove,user,bob,${second},
or JSON Lines (.jsonl/.ndjson, or content starting with '{'), one object per line with the same
fields, in UTF-8 (a byte order mark is fine). action is add, update or remove; expiresAt (ISO-8601 with a zone, Unix ms, or +30d) is
empty for remove. Rows that did not apply are written to <input>.retry.csv, which apply accepts
again; rows whose fate is unknown (they may have applied) to <input>.unknown.csv, for review.
${GUARD_HELP}`;
}

export const apply = defineCommand<ApplyArgs>({
  name: 'apply',
  scope: 'resource',
  summary: 'apply a CSV or JSON Lines file of add/update/remove rows',
  operand: 'FILE',
  options: (resource) => [
    ...whereOptions(resource),
    'allow-past',
    'comment',
    'dry-run',
    'batch-size',
    'concurrency',
    'retry-file',
    'unknown-file',
    ...CONNECTION_OPTIONS,
    ...OUTPUT_OPTIONS,
  ],
  describe: () => 'Applies every row of FILE (CSV or JSON Lines), checking all rows before sending any.',
  details: fileFormat,
  exits: ['ok', 'notAllApplied', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => {
    const { values } = args;
    return {
      where: whereOf(args),
      connection: connectionOf(values, args.env),
      json: values.json === true,
      file: args.positionals[0] as string,
      allowPast: values['allow-past'] === true,
      dryRun: values['dry-run'] === true,
      comment: optionalString(values, 'comment'),
      retryFile: optionalString(values, 'retry-file'),
      unknownFile: optionalString(values, 'unknown-file'),
      batchSize: positiveInteger('batch-size', optionalString(values, 'batch-size')),
      concurrency: positiveInteger('concurrency', optionalString(values, 'concurrency')),
    };
  },
  run: (args, session) => runApply(args, session),
});

type StreamOptions = {
  signal: AbortSignal;
  comment: string | undefined;
  allowPast: boolean;
  batchSize: number | undefined;
  concurrency: number | undefined;
  onOutcome: (outcome: InstructionOutcome<AnyInstruction>) => void;
  onProgress: (progress: BulkProgress) => void;
};

/** `patchAll` over a stream: outcomes go to `onOutcome`, the result holds counts. */
function sendStream(
  connection: Connection,
  where: Where,
  instructions: AsyncIterable<AnyInstruction>,
  options: StreamOptions,
): Promise<BulkSummary> {
  return apiOf(connection.client, where).patchAll(refOf(where), instructions, options);
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
async function runApply(command: ApplyArgs, session: Session): Promise<number> {
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
  return withConnection(
    command.connection,
    retryNotice(json, () => bar),
    async (connection) => {
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
        writeError ??
        (summary.stoppedBy instanceof RequestAbortedError && session.signal.aborted
          ? `interrupted (${String(session.signal.reason)})`
          : summary.stoppedBy?.message);
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
    },
    session.out,
  );
}
