/**
 * `ld-expiring-targets/inventory`: every scheduled removal of a project and environment, read
 * with the client (its retries, timeouts and rate-limit gate), as an async iterable, a report or
 * a desired-state file for `plan` and `sync`. A subpath of its own, so that an app using only the
 * client does not carry it.
 *
 * @example
 * ```ts
 * import { createExpiringTargetsClient } from 'ld-expiring-targets';
 * import { scheduledRemovals } from 'ld-expiring-targets/inventory';
 *
 * const ld = createExpiringTargetsClient({ apiKey: process.env.LD_API_KEY });
 * for await (const r of scheduledRemovals(ld, { projectKey: 'default', environmentKey: 'production', within: '7d' })) {
 *   console.log(r.expiresAt.toISOString(), r.resourceKind, r.resourceKey, r.contextKey);
 * }
 * ```
 */
export { type ExportOptions, type ExportedState, exportDesiredState } from './export.js';
export { IncompleteInventoryError, type ResourceReading, type ScheduledRemoval, readInventory, scheduledRemovals } from './inventory.js';
export type { ListedResource } from './listing.js';
export { type InventoryOptions, type InventoryProgress, parseDuration } from './options.js';
export {
  REPORT_CSV_COLUMNS,
  type TextReportOptions,
  type UnreadableResource,
  groupByDay,
  removalsCsv,
  removalsJson,
  removalsText,
  sortRemovals,
} from './report.js';
