/** A segment or flag the page shows, and what the client and the query options want of it. */
import type { FlagInstruction, SegmentInstruction } from 'ld-expiring-targets';
import { flagInstructions, segmentInstructions } from 'ld-expiring-targets';

export interface Resource {
  kind: 'segment' | 'flag';
  projectKey: string;
  environmentKey: string;
  key: string;
  /** A flag's variations, when the backend's list names them. */
  variations?: { id: string; name: string }[];
}

/** `segment:default/production/beta-testers`: the list's values and the page's address fragment. */
export const resourceId = (r: Resource) => `${r.kind}:${[r.projectKey, r.environmentKey, r.key].map(encodeURIComponent).join('/')}`;

/** The resource an address fragment names, if it names one. */
export function parseResourceId(id: string): Resource | undefined {
  const m = /^(segment|flag):([^/]+)\/([^/]+)\/([^/]+)$/.exec(id);
  if (!m) return undefined;
  try {
    const [projectKey, environmentKey, key] = [m[2]!, m[3]!, m[4]!].map(decodeURIComponent) as [string, string, string];
    return { kind: m[1] as 'segment' | 'flag', projectKey, environmentKey, key };
  } catch {
    return undefined;
  }
}
export const describeResource = (r: Resource) => `${r.kind} ${r.key} (${r.projectKey} / ${r.environmentKey})`;
export const segmentRef = (r: Resource) => ({ projectKey: r.projectKey, environmentKey: r.environmentKey, segmentKey: r.key });
export const flagRef = (r: Resource) => ({ projectKey: r.projectKey, environmentKey: r.environmentKey, flagKey: r.key });

/** One change to one context: the form's and the table's vocabulary. */
export interface Change {
  action: 'add' | 'update' | 'remove';
  contextKind: string;
  contextKey: string;
  /** A segment's list. */
  targetType?: 'included' | 'excluded';
  /** A flag's variation. */
  variationId?: string;
  expiresAt?: Date;
  /** The target's `_version`, so a reschedule fails rather than overwrite someone else's change. */
  version?: number;
}

export function segmentInstruction(c: Change): SegmentInstruction {
  const target = { contextKind: c.contextKind, contextKey: c.contextKey, targetType: c.targetType ?? 'included' };
  if (c.action === 'remove') return segmentInstructions.remove(target);
  const expiresAt = c.expiresAt ?? new Date(Number.NaN);
  if (c.action === 'add') return segmentInstructions.add({ ...target, expiresAt });
  return segmentInstructions.update(c.version === undefined ? { ...target, expiresAt } : { ...target, expiresAt, version: c.version });
}

export function flagInstruction(c: Change): FlagInstruction {
  const target = { contextKind: c.contextKind, contextKey: c.contextKey, variationId: c.variationId ?? '' };
  if (c.action === 'remove') return flagInstructions.remove(target);
  const expiresAt = c.expiresAt ?? new Date(Number.NaN);
  if (c.action === 'add') return flagInstructions.add({ ...target, expiresAt });
  return flagInstructions.update(c.version === undefined ? { ...target, expiresAt } : { ...target, expiresAt, version: c.version });
}
