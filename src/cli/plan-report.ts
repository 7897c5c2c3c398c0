/** How plans, applies and file errors of `plan` and `sync` are shown: diff tables, or plain objects for `--json`. */
import { type ResourceKind, describeResource, resourceKeyOf, targetField } from '../core/resources.js';
import type { ChangeOutcome, DesiredStateError, PlannedChange, ResourcePlan, SyncPlan } from '../sync/index.js';
import { type Output, table } from './output.js';
import { resultText } from './report.js';
import { iso } from './times.js';

/** How many file errors a terminal shows; `--json` lists every one. */
const ISSUES_SHOWN = 50;
/** How many changes that did not apply a terminal shows after `sync`; `--json` lists every one. */
const PROBLEMS_SHOWN = 50;

const field = targetField;
const keyOf = (r: Pick<ResourcePlan, 'resource' | 'ref'>) => resourceKeyOf(r.resource, r.ref);
const time = (ms: number | undefined) => (ms === undefined ? '' : iso(ms).replace('.000Z', 'Z'));

export function describeResourcePlan(r: Pick<ResourcePlan, 'resource' | 'ref'>): string {
  return describeResource(r.resource, r.ref);
}

const SIGN = { add: '+ add', update: '~ update', remove: '- remove' } as const;

/** A change as diff cells: sign, context, segment list or variation, times, line. */
function changeCells(c: PlannedChange): string[] {
  const when = c.action === 'add' ? time(c.to) : c.action === 'update' ? `${time(c.from)} → ${time(c.to)}` : time(c.from);
  return [SIGN[c.action], `${c.contextKind}:${c.contextKey}`, c.target, when, c.source ? String(c.source.line) : ''];
}

function countsText(r: ResourcePlan): string {
  const n = { add: 0, update: 0, remove: 0 };
  for (const c of r.changes) n[c.action]++;
  const parts = [
    n.add && `${n.add} to add`,
    n.update && `${n.update} to update`,
    n.remove && `${n.remove} to remove`,
    r.unchanged && `${r.unchanged} unchanged`,
    r.unmanaged && `${r.unmanaged} not in the file`,
  ];
  const text = parts.filter(Boolean).join(', ');
  return r.changes.length === 0 ? `no changes${text ? ` (${text})` : ''}` : text;
}

/** The plan as a diff per resource, then totals. */
export function printPlan(out: Output, plan: SyncPlan, file: string): void {
  for (const r of plan.resources) {
    if (r.error !== undefined) {
      out.out(`${describeResourcePlan(r)}: could not be read: ${r.error.message}`);
      continue;
    }
    out.out(`${describeResourcePlan(r)}: ${countsText(r)}`);
    if (r.changes.length > 0) {
      out.out(table(['change', 'context', field(r.resource), 'expires at', 'line'], r.changes.map(changeCells)).replace(/^/gm, '  '));
      out.out();
    }
  }
  const { add, update, remove, unchanged, unmanaged, unread } = plan.counts;
  if (plan.resources.at(-1)?.changes.length === 0) out.out();
  if (unread > 0) out.out(`${unread} segment(s) or flag(s) could not be read: the plan is incomplete.`);
  if (plan.hasChanges || unread > 0) out.out(`Plan: ${add} to add, ${update} to update, ${remove} to remove; ${unchanged} unchanged.`);
  else out.out(`No changes: LaunchDarkly matches ${file} (${unchanged} scheduled removal(s)).`);
  if (unmanaged > 0)
    out.out(`${unmanaged} scheduled removal(s) in LaunchDarkly are not in ${file} and are left alone (--prune cancels them).`);
}

function changeJson(c: PlannedChange, resource: ResourceKind): Record<string, unknown> {
  return {
    action: c.action,
    line: c.source?.line ?? null,
    contextKind: c.contextKind,
    contextKey: c.contextKey,
    [field(resource)]: c.target,
    from: c.from === undefined ? null : iso(c.from),
    to: c.to === undefined ? null : iso(c.to),
    version: c.version ?? null,
  };
}

function whereJson(r: Pick<ResourcePlan, 'resource' | 'ref'>): Record<string, string> {
  return { resource: r.resource, project: r.ref.projectKey, environment: r.ref.environmentKey, [r.resource]: keyOf(r) };
}

export function planJson(plan: SyncPlan): Record<string, unknown> {
  return {
    hasChanges: plan.hasChanges,
    complete: plan.ok,
    prune: plan.prune,
    counts: plan.counts,
    resources: plan.resources.map((r) => ({
      ...whereJson(r),
      line: r.source?.line ?? null,
      error: r.error?.message ?? null,
      unchanged: r.unchanged,
      unmanaged: r.unmanaged,
      changes: r.changes.map((c) => changeJson(c, r.resource)),
    })),
  };
}

/** Changes that did not apply, as JSON objects. */
export function problemsJson(outcomes: readonly ChangeOutcome[]): Record<string, unknown>[] {
  return outcomes
    .filter((o) => o.fate !== 'applied')
    .map((o) => ({
      ...whereJson(o),
      ...changeJson(o.change, o.resource),
      fate: o.fate,
      message: o.message ?? null,
      replanned: o.replanned === true,
    }));
}

/** What `sync` did, for people: counts, then every change that did not apply with its line. */
export function printApplied(out: Output, outcomes: readonly ChangeOutcome[], counts: Record<string, number>): void {
  out.out();
  out.out(
    `Applied ${counts.applied} of ${counts.total} change(s)${counts.replanned ? ` (${counts.replanned} planned again after a conflict)` : ''}:`,
  );
  const summary: [string, number | undefined][] = [
    ['applied', counts.applied],
    ['failed', counts.failed],
    ['unknown', counts.unknown],
    ['not attempted', counts.notAttempted],
    ['reconciled', counts.reconciled],
  ];
  for (const [label, n] of summary) out.out(`  ${label.padEnd(14)}${String(n ?? 0).padStart(String(counts.total).length)}`);
  const problems = outcomes.filter((o) => o.fate !== 'applied');
  if (problems.length === 0) return;
  out.out();
  out.out(
    table(
      ['line', 'change', 'context', 'resource', 'result'],
      problems
        .slice(0, PROBLEMS_SHOWN)
        .map((o) => [
          o.change.source ? String(o.change.source.line) : '-',
          SIGN[o.change.action],
          `${o.change.contextKind}:${o.change.contextKey}`,
          `${o.resource} ${keyOf(o)}`,
          resultText(o),
        ]),
    ),
  );
  if (problems.length > PROBLEMS_SHOWN) out.out(`… and ${problems.length - PROBLEMS_SHOWN} more (--json lists every one)`);
}

/** A file's errors, as `FILE:LINE:COLUMN: message` lines (the form editors jump to). */
export function printFileErrors(out: Output, error: DesiredStateError, file: string): void {
  out.err(`error: ${error.issues.length} problem(s) in ${file}; nothing was sent`);
  for (const i of error.issues.slice(0, ISSUES_SHOWN)) out.err(`${file}:${i.line ?? '?'}:${i.column ?? '?'}: ${i.message}`);
  if (error.issues.length > ISSUES_SHOWN) out.err(`… and ${error.issues.length - ISSUES_SHOWN} more (--json lists every one)`);
}

export function fileErrorsJson(error: DesiredStateError, file: string, exitCode: number): Record<string, unknown> {
  return {
    ok: false,
    exitCode,
    file,
    error: {
      type: 'validation',
      message: `${error.issues.length} problem(s) in ${file}; nothing was sent`,
      issues: error.issues.map((i) => ({ line: i.line ?? null, column: i.column ?? null, path: i.path, message: i.message })),
    },
  };
}
