/**
 * Planning part of a desired state, as Terraform's `-target` does: `segment:PROJECT/ENVIRONMENT/KEY`
 * or `flag:PROJECT/ENVIRONMENT/KEY` names one resource of the state (keys never hold a `/`).
 */
import { ConfigurationError } from '../core/errors.js';
import { RESOURCE_KINDS, type ResourceKind, refOf } from '../core/resources.js';
import { quote } from './bounds.js';
import { type CompiledResource, resourceIdentity } from './compile-desired.js';
import type { DesiredResource, DesiredState } from './desired-state.js';

const TARGET = new RegExp(`^(${RESOURCE_KINDS.join('|')}):([^/]+)/([^/]+)/([^/]+)$`);
const FORMS = RESOURCE_KINDS.map((kind) => `${kind}:PROJECT/ENVIRONMENT/KEY`).join(' or ');

/** The identity a target names, or a ConfigurationError saying how to write one. */
function targetIdentity(target: string): string {
  const m = TARGET.exec(target);
  if (m === null) throw new ConfigurationError(`target ${quote(target)} must look like ${FORMS}`);
  const [, kind, projectKey, environmentKey, key] = m as unknown as [string, ResourceKind, string, string, string];
  return resourceIdentity({ resource: kind, ref: refOf(kind, projectKey, environmentKey, key) } as Parameters<typeof resourceIdentity>[0]);
}

/**
 * The part of `desired` the targets name (all of it when there are none). A target that names no
 * resource of the state is an error: a typo must not make a plan silently empty.
 */
export function selectTargets(desired: DesiredState, targets: readonly string[]): DesiredState {
  return { resources: selected(desired.resources, (r) => r, targets) };
}

/** {@link selectTargets} of a compiled state (the command line plans what its reader compiled). */
export function selectCompiled(compiled: CompiledResource[], targets: readonly string[]): CompiledResource[] {
  return selected(compiled, (c) => c.desired, targets);
}

function selected<T>(items: T[], resourceOf: (item: T) => DesiredResource, targets: readonly string[]): T[] {
  if (targets.length === 0) return items;
  const wanted = new Map(targets.map((t) => [targetIdentity(t), t]));
  const found = new Set<string>();
  const kept = items.filter((item) => {
    const identity = resourceIdentity(resourceOf(item));
    if (!wanted.has(identity)) return false;
    found.add(identity);
    return true;
  });
  const missing = [...wanted].filter(([identity]) => !found.has(identity)).map(([, target]) => target);
  if (missing.length > 0)
    throw new ConfigurationError(
      `${missing.map(quote).join(', ')} ${missing.length === 1 ? 'names' : 'name'} no segment or flag of the desired state`,
    );
  return kept;
}
