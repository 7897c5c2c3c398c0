/**
 * The client's API of a resource kind, for the surfaces that hold a kind as data (sync, the
 * inventory, the CLI). Here rather than in the resource table, which the client itself reads.
 */
import type { ExpiringTargetsClient, ResourceApi } from '../client.js';
import { type AnyInstruction, RESOURCES, type ResourceKind, type ResourceRef } from '../resources.js';

/** The client's API of a resource kind: `client.segments` or `client.flags`, by the table's plural. */
export function resourceApiOf(client: ExpiringTargetsClient, resource: ResourceKind): ResourceApi<ResourceRef, AnyInstruction> {
  return client[RESOURCES[resource].plural as 'segments' | 'flags'] as unknown as ResourceApi<ResourceRef, AnyInstruction>;
}
