/**
 * Saved plans, as Terraform saves them: `serializePlan` writes what a plan will change (each
 * change with its instruction and the version it read), with the SHA-256 of every input file and
 * any target filter; `parsePlan` reads it back, checks every instruction as `patch` would, and
 * rebuilds a plan `applyPlan` sends exactly as saved. Whoever applies it first checks that the
 * files still hash the same (a saved plan is a review of those files, not of later edits).
 */
import { ExpiringTargetsError } from '../core/errors.js';
import { RESOURCES, type ResourceKind, isResourceKind } from '../core/resources.js';
import { instructionIssues } from '../core/validation.js';
import { clip } from './bounds.js';
import type { DesiredState } from './desired-state.js';
import { describeResource, resourceIdentity } from './compile-desired.js';
import { type PlannedChange, type ResourcePlan, type SyncPlan, summarize } from './plan.js';

/** The format's name and version: a reader refuses any other. */
export const PLAN_FORMAT = 'ld-expiring-targets/plan';
/** The version of the saved-plan format this build writes and reads. */
export const PLAN_FORMAT_VERSION = 1;

/** An input file of a saved plan. */
export interface PlanFile {
  /** The path as given when planning. */
  path: string;
  /** SHA-256 of its bytes, hex. */
  sha256: string;
}

/** What a saved plan holds besides the changes. */
export interface SavedPlanInfo {
  /** The input files, with their hashes when planned. */
  files: PlanFile[];
  /** The target filter planning used (empty: every resource of the files). */
  targets: string[];
  /** When the plan was made, ISO-8601. */
  createdAt: string;
}

/** A saved plan read back: the plan to apply, and what it was made from. */
export interface SavedPlan extends SavedPlanInfo {
  /** The plan, exactly as it was saved. */
  plan: SyncPlan;
}

/** A saved plan cannot be read or used; nothing was sent. */
export class SavedPlanError extends ExpiringTargetsError {
  /** Always `'SavedPlanError'`, also after minification. */
  override name = 'SavedPlanError';
}

interface SavedChange {
  action: PlannedChange['action'];
  contextKind: string;
  contextKey: string;
  target: string;
  from: number | null;
  to: number | null;
  version: number | null;
  instruction: PlannedChange['instruction'];
  line: number | null;
}

/**
 * The plan as text (JSON) to save and apply later. Only resources with changes are kept; `files`
 * should name every input file with its hash (see `readDesiredStateFile`).
 *
 * @example
 * ```ts
 * const { desired, sha256 } = await readDesiredStateFile('expiring-targets.yaml');
 * const plan = await planSync(ld, desired);
 * await writeFile('plan.json', serializePlan(plan, { files: [{ path: 'expiring-targets.yaml', sha256 }] }));
 * ```
 */
export function serializePlan(plan: SyncPlan, info: Partial<SavedPlanInfo> & Pick<SavedPlanInfo, 'files'>): string {
  if (!plan.ok) throw new SavedPlanError('a plan with resources that could not be read cannot be saved: plan again');
  const resources = plan.resources
    .filter((r) => r.changes.length > 0)
    .map((r) => ({
      resource: r.resource,
      ref: r.ref,
      changes: r.changes.map(
        (c: PlannedChange): SavedChange => ({
          action: c.action,
          contextKind: c.contextKind,
          contextKey: c.contextKey,
          target: c.target,
          from: c.from ?? null,
          to: c.to ?? null,
          version: c.version ?? null,
          instruction: c.instruction,
          line: c.source?.line ?? null,
        }),
      ),
    }));
  const saved = {
    format: PLAN_FORMAT,
    version: PLAN_FORMAT_VERSION,
    createdAt: info.createdAt ?? new Date().toISOString(),
    files: info.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
    targets: info.targets ?? [],
    prune: plan.prune,
    allowPast: plan.allowPast,
    counts: plan.counts,
    resources,
  };
  return `${JSON.stringify(saved, null, 2)}\n`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const optionalNumber = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

function field<T>(record: Record<string, unknown>, name: string, check: (v: unknown) => v is T, where: string): T {
  const value = Object.hasOwn(record, name) ? record[name] : undefined;
  if (!check(value)) throw new SavedPlanError(clip(`${where}: ${name} is missing or invalid`));
  return value;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

function readChange(resource: ResourceKind, value: unknown, where: string): PlannedChange {
  if (!isObject(value)) throw new SavedPlanError(`${where} is not an object`);
  const action = field(value, 'action', (v): v is SavedChange['action'] => v === 'add' || v === 'update' || v === 'remove', where);
  for (const name of ['from', 'to', 'version', 'line'])
    if (!optionalNumber(value[name])) throw new SavedPlanError(`${where}: ${name} must be a number or null`);
  const instruction = value.instruction;
  const issues = instructionIssues(resource, instruction, undefined, { allowPast: true });
  if (issues.length > 0)
    throw new SavedPlanError(clip(`${where}: the instruction is invalid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`));
  const line = value.line as number | null;
  return {
    action,
    contextKind: field(value, 'contextKind', isString, where),
    contextKey: field(value, 'contextKey', isString, where),
    target: field(value, 'target', isString, where),
    from: (value.from as number | null) ?? undefined,
    to: (value.to as number | null) ?? undefined,
    version: (value.version as number | null) ?? undefined,
    instruction: instruction as PlannedChange['instruction'],
    source: line === null ? undefined : { line, column: 1, index: 0, fields: {} },
  };
}

/** The header of a saved plan: what it was made from. Throws a {@link SavedPlanError} for another format or version. */
export function savedPlanInputs(text: string): SavedPlanInfo & {
  /** Whether the plan was made with `prune`. */
  prune: boolean;
  /** Whether the plan was made with `allowPast`. */
  allowPast: boolean;
  /** The saved resources, not yet checked. */
  resources: unknown[];
} {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SavedPlanError('the saved plan is not JSON');
  }
  if (!isObject(value) || value.format !== PLAN_FORMAT) throw new SavedPlanError(`the file is not a saved plan (format ${PLAN_FORMAT})`);
  if (value.version !== PLAN_FORMAT_VERSION)
    throw new SavedPlanError(
      clip(`the saved plan has version ${JSON.stringify(value.version)}; this version reads ${PLAN_FORMAT_VERSION}: plan again`),
    );
  const files = field(value, 'files', isArray, 'the plan').map((f, i) => {
    if (!isObject(f)) throw new SavedPlanError(`files[${i}] is not an object`);
    return {
      path: field(f, 'path', isString, `files[${i}]`),
      sha256: field(f, 'sha256', (v): v is string => isString(v) && /^[0-9a-f]{64}$/.test(v), `files[${i}]`),
    };
  });
  const targets = field(value, 'targets', isArray, 'the plan').map((t) => {
    if (!isString(t)) throw new SavedPlanError('targets must be strings');
    return t;
  });
  return {
    files,
    targets,
    createdAt: field(value, 'createdAt', isString, 'the plan'),
    prune: field(value, 'prune', isBoolean, 'the plan'),
    allowPast: field(value, 'allowPast', isBoolean, 'the plan'),
    resources: field(value, 'resources', isArray, 'the plan'),
  };
}

/**
 * Reads a saved plan and rebuilds it against `desired`, the state its files hold now (which the
 * caller has checked still hash as saved, see {@link savedPlanInputs}): every resource the plan
 * changes must be in it. Throws a {@link SavedPlanError} for any other format or version, or an
 * invalid instruction. Apply it with `replanConflicts: false`, so that a change whose target moved
 * since planning is reported, not overwritten.
 */
export function parsePlan(text: string, desired: DesiredState): SavedPlan {
  const { files, targets, createdAt, prune, allowPast, resources: saved } = savedPlanInputs(text);
  const known = new Map(desired.resources.map((r) => [resourceIdentity(r), r]));
  const seen = new Set<string>();
  const resources: ResourcePlan[] = saved.map((r, i) => {
    const where = `resources[${i}]`;
    if (!isObject(r) || !isResourceKind(r.resource) || !isObject(r.ref)) throw new SavedPlanError(`${where} is not a segment or flag plan`);
    const kind = r.resource;
    const ref = r.ref as Record<string, unknown>;
    for (const name of RESOURCES[kind].refKeys) field(ref, name, isString, `${where}.ref`);
    const identity = resourceIdentity({ resource: kind, ref: ref as never });
    const named = known.get(identity);
    if (named === undefined)
      throw new SavedPlanError(
        clip(`the plan changes ${describeResource({ resource: kind, ref: ref as never })}, which its files no longer name`),
      );
    if (seen.has(identity)) throw new SavedPlanError(clip(`the plan lists ${describeResource(named)} twice`));
    seen.add(identity);
    const changes = field(r, 'changes', isArray, where).map((c, j) => readChange(kind, c, `${where}.changes[${j}]`));
    return { resource: kind, ref: named.ref, changes, unchanged: 0, unmanaged: 0, source: named.source, error: undefined } as ResourcePlan;
  });
  // The resources the plan leaves alone are in the state too, so that reading back covers them.
  const planned = new Set(resources.map((r) => resourceIdentity(r)));
  const rest = desired.resources.filter((r) => !planned.has(resourceIdentity(r)));
  const all = [
    ...resources,
    ...rest.map(
      (r) =>
        ({ resource: r.resource, ref: r.ref, changes: [], unchanged: 0, unmanaged: 0, source: r.source, error: undefined }) as ResourcePlan,
    ),
  ];
  return { plan: summarize(all, desired, prune, allowPast), files, targets, createdAt };
}
