/** The options that name one segment or flag (`--project`, `--env`, `--segment`/`--flag`), read once. */
import type { Resource, Where } from './changes.js';

export type { Where };
import type { ParsedArgs } from './command.js';
import { required } from './parser.js';
import type { ExpiringTargetsClient, ResourceApi } from '../core/client.js';
import {
  type AnyInstruction,
  RESOURCE_KINDS,
  type ResourceFacts,
  type ResourceRef,
  refOf as refOfKey,
  targetField,
} from '../core/resources.js';
import { resourceApiOf } from '../core/internal/resource-api.js';

/** The CLI's words for each target field of the resource table: the option that sets it, and examples for help. */
const TARGET_FIELD_CLI: Readonly<Record<ResourceFacts['targetField'], { option: string; examples: readonly [string, string] }>> = {
  targetType: { option: 'target-type', examples: ['included', 'excluded'] },
  variationId: { option: 'variation', examples: ['4254742c-71ae-411f-a992-43b18a51afe0', '4254742c-71ae-411f-a992-43b18a51afe0'] },
};

/** The resource help describes when none is given (`apply --help` is read as the first kind's). */
export const kindOr = (resource: Resource | undefined): Resource => resource ?? (RESOURCE_KINDS[0] as Resource);

/** The option that names the target list: `--target-type` (segments) or `--variation` (flags), without its dashes. */
export const targetOption = (resource: Resource | undefined): string => TARGET_FIELD_CLI[targetField(kindOr(resource))].option;

/** Two example values of the target field, for help. */
export const targetExamples = (resource: Resource | undefined): readonly [string, string] =>
  TARGET_FIELD_CLI[targetField(kindOr(resource))].examples;

/** The options naming the resource, in help order: the resource's own option is its kind (`--segment`, `--flag`). */
export function whereOptions(resource: Resource | undefined): string[] {
  return ['project', 'env', kindOr(resource)];
}

export function whereOf({ values, resource }: ParsedArgs): Where {
  const kind = kindOr(resource);
  return { resource: kind, project: required(values, 'project'), env: required(values, 'env'), key: required(values, kind) };
}

/** The library's reference to it: the key goes in the field the resource table names (`segmentKey`, `flagKey`). */
export function refOf(w: Where): ResourceRef {
  return refOfKey(w.resource, w.project, w.env, w.key);
}

/** The client's API for it: `client.segments` or `client.flags`, by the table's plural. */
export function apiOf(client: ExpiringTargetsClient, w: Where): ResourceApi<ResourceRef, AnyInstruction> {
  return resourceApiOf(client, w.resource);
}
