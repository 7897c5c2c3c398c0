/**
 * The one table of facts about the two resources that have expiring targets (segments and
 * flags): how a reference maps onto the path, which field names a target list, how each is named
 * in messages, and the rules the pipeline generated for each. Every layer (client, bulk runs,
 * proxy, sync, CLI) reads these facts here instead of branching on the kind.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import type { components } from '../../generated/schema.js';

type Schemas = components['schemas'];

/** A semantic-patch instruction on a segment's expiring targets, exactly as sent. */
export type SegmentInstruction = Schemas['patchSegmentExpiringTargetInstruction'];
/** A semantic-patch instruction on a flag's expiring targets, exactly as sent. */
export type FlagInstruction = Schemas['patchFlagExpiringTargetInstruction'];
/** An instruction of either resource. */
export type AnyInstruction = SegmentInstruction | FlagInstruction;
/** The two resources that have expiring targets. */
export type ResourceKind = keyof typeof RESOURCE_RULES;

/** What one resource is, beyond the generated rules. */
export interface ResourceFacts {
  /** How messages name it: `segment`. */
  readonly label: string;
  /** Its plural, as the path and the desired-state file name it: `segments`. */
  readonly plural: string;
  /** The reference's fields, in the order messages list them. */
  readonly refKeys: readonly ['projectKey', 'environmentKey', string];
  /** The reference's field that names this resource: `segmentKey` or `flagKey`. */
  readonly keyField: string;
  /** The path parameter that `keyField` fills: `segmentKey` or `featureFlagKey`. */
  readonly pathKey: string;
  /** The field of instructions and targets that names the target list: `targetType` or `variationId`. */
  readonly targetField: 'targetType' | 'variationId';
  /** The field of a listed item that holds its variations (`variations` for flags); undefined when it has none. */
  readonly variationsField: 'variations' | undefined;
  /** What the pipeline derived from the bundled document: path, kinds, fields, media type. */
  readonly rules: (typeof RESOURCE_RULES)[ResourceKind];
}

/** The table. A third resource would be one more row here (and its rows in the generated rules). */
export const RESOURCES: Readonly<Record<ResourceKind, ResourceFacts>> = {
  segment: {
    label: 'segment',
    plural: 'segments',
    refKeys: ['projectKey', 'environmentKey', 'segmentKey'],
    keyField: 'segmentKey',
    pathKey: 'segmentKey',
    targetField: 'targetType',
    variationsField: undefined,
    rules: RESOURCE_RULES.segment,
  },
  flag: {
    label: 'flag',
    plural: 'flags',
    refKeys: ['projectKey', 'environmentKey', 'flagKey'],
    keyField: 'flagKey',
    pathKey: 'featureFlagKey',
    targetField: 'variationId',
    variationsField: 'variations',
    rules: RESOURCE_RULES.flag,
  },
};

/** The resource kinds, in table order. */
export const RESOURCE_KINDS = Object.keys(RESOURCES) as ResourceKind[];

/** Whether a value names a resource kind. */
export function isResourceKind(value: unknown): value is ResourceKind {
  return typeof value === 'string' && Object.hasOwn(RESOURCES, value);
}

/** The resource kind whose plural is `plural` (`segments` → `segment`), if any. */
export function kindOfPlural(plural: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((kind) => RESOURCES[kind].plural === plural);
}

/** The field that names the target list of a resource's instructions: `targetType` or `variationId`. */
export function targetField(resource: ResourceKind): 'targetType' | 'variationId' {
  return RESOURCES[resource].targetField;
}

/** A reference to one resource in one environment, as both kinds share it. */
export interface ResourceRef {
  projectKey: string;
  environmentKey: string;
}

/** The key that names the resource itself in a reference: its `segmentKey` or `flagKey`. */
export function resourceKeyOf(resource: ResourceKind, ref: ResourceRef): string {
  return (ref as unknown as Record<string, string>)[RESOURCES[resource].keyField] as string;
}

/** The reference to the resource `key` of this kind: `{ projectKey, environmentKey, segmentKey }` or `{ …, flagKey }`. */
export function refOf(resource: ResourceKind, projectKey: string, environmentKey: string, key: string): ResourceRef {
  return { projectKey, environmentKey, [RESOURCES[resource].keyField]: key } as ResourceRef;
}

/** The path parameters of a reference. */
export function pathParamsOf(resource: ResourceKind, ref: ResourceRef): Record<string, string> {
  return { projectKey: ref.projectKey, environmentKey: ref.environmentKey, [RESOURCES[resource].pathKey]: resourceKeyOf(resource, ref) };
}

/** How every surface names a resource: `segment beta (project p, environment e)`. */
export function describeResource(resource: ResourceKind, ref: ResourceRef): string {
  return `${RESOURCES[resource].label} ${resourceKeyOf(resource, ref)} (project ${ref.projectKey}, environment ${ref.environmentKey})`;
}
