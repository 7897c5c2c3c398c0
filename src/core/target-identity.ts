/**
 * The identity of a target: one context in one list. Kept apart from the resource table, which
 * every page loads, because only reading back, bulk runs, sync and the CLI compare targets.
 */
import { RESOURCES, type ResourceKind } from './resources.js';

/** The fields that identify a target: a context, and the segment list or flag variation. */
export interface TargetFields {
  contextKind: string;
  contextKey: string;
  targetType?: string | undefined;
  variationId?: string | undefined;
}

/** Identity of a target: one context in one list (the list named by its target field's value). */
export function identityOf(contextKind: string, contextKey: string, target: unknown): string {
  return JSON.stringify([contextKind, contextKey, target]);
}

/** Identity of an instruction's or a read target's target: the context plus targetType (segments) or variationId (flags). */
export function targetIdentity(resource: ResourceKind, t: TargetFields): string {
  return identityOf(t.contextKind, t.contextKey, t[RESOURCES[resource].targetField]);
}
