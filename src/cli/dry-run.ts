/** What `--dry-run` prints: the changes as a table and the instructions as they would be sent. */
import { type Change, type Where, targetField } from './changes.js';
import { EXIT } from './exit-codes.js';
import { type Output, SCREEN_ROWS, jsonText, screenfulTable } from './output.js';
import { changeCells, describeWhere, whereJson } from './report.js';

/** Prints a dry run of changes given on the command line: a screenful, or all of them with `--json`. */
export function printDryRun(out: Output, where: Where, changes: readonly Change[], json: boolean): number {
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
export async function printFileDryRun(
  out: Output,
  where: Where,
  count: number,
  changes: AsyncGenerator<Change>,
  json: boolean,
): Promise<number> {
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
