/**
 * A plan as Markdown, for a pull-request comment: a summary line, then one table per resource
 * with changes. Cells are escaped (a key cannot break the table or open a link), long values show
 * their start only, and the rows are bounded so the comment stays under a forge's size limit.
 */
import { resourceKeyOf, targetField } from '../core/resources.js';
import { QUOTED_CHARS } from './bounds.js';
import type { PlannedChange, ResourcePlan, SyncPlan } from './plan.js';

/** Rows shown in all; the rest is counted. GitHub refuses comments over 65,536 characters. */
const ROWS_SHOWN = 300;

function cell(text: string): string {
  const short = text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text;
  return short.replace(/[\\`*_[\]<>|#!~]/g, (c) => `\\${c}`).replace(/[\r\n\t]/g, ' ');
}

const time = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const SIGN = { add: '➕ add', update: '✏️ update', remove: '➖ remove' } as const;

function row(c: PlannedChange): string {
  const when = c.action === 'add' ? time(c.to) : c.action === 'update' ? `${time(c.from)} → ${time(c.to)}` : time(c.from);
  return `| ${SIGN[c.action]} | ${cell(`${c.contextKind}:${c.contextKey}`)} | ${cell(c.target)} | ${when} | ${c.source?.line ?? ''} |`;
}

function title(r: ResourcePlan): string {
  const key = resourceKeyOf(r.resource, r.ref);
  return `${r.resource} \`${cell(key)}\` (project \`${cell(r.ref.projectKey)}\`, environment \`${cell(r.ref.environmentKey)}\`)`;
}

/**
 * The plan as Markdown. `file` names the desired-state file in the summary.
 *
 * @example
 * ```ts
 * await writeFile('plan.md', planMarkdown(await planSync(ld, desired), { file: 'expiring-targets.yaml' }));
 * ```
 */
export function planMarkdown(plan: SyncPlan, options: { file?: string | undefined } = {}): string {
  const file = options.file === undefined ? 'the desired state' : `\`${cell(options.file)}\``;
  const { add, update, remove, unchanged, unmanaged, unread } = plan.counts;
  const lines = [`### Expiring targets: plan for ${file}`, ''];
  if (unread > 0) lines.push(`⚠️ ${unread} segment(s) or flag(s) could not be read: the plan is incomplete.`, '');
  lines.push(
    plan.hasChanges
      ? `**${add} to add, ${update} to update, ${remove} to remove**; ${unchanged} unchanged.`
      : `No changes: LaunchDarkly matches ${file}.`,
  );
  if (unmanaged > 0) lines.push('', `${unmanaged} scheduled removal(s) in LaunchDarkly are not in the file and are left alone.`);
  let shown = 0;
  let hidden = 0;
  for (const r of plan.resources) {
    if (r.error !== undefined) {
      lines.push('', `#### ${title(r)}`, '', `Could not be read: ${cell(r.error.message)}`);
      continue;
    }
    if (r.changes.length === 0) continue;
    lines.push(
      '',
      `#### ${title(r)}`,
      '',
      `| change | context | ${targetField(r.resource)} | expires at | line |`,
      '|---|---|---|---|---|',
    );
    for (const c of r.changes) {
      if (shown < ROWS_SHOWN) {
        lines.push(row(c));
        shown++;
      } else hidden++;
    }
  }
  if (hidden > 0) lines.push('', `… and ${hidden} more change(s), not shown.`);
  return `${lines.join('\n')}\n`;
}
