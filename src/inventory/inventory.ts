/**
 * The inventory: every scheduled removal of a project and environment. The listings of segments
 * and flags are read page by page (the next page while the current one is worked on), and each
 * listed resource's expiring targets with one GET, a bounded number at once, alternating between
 * segments and flags so both routes' rate limits are used. Every request goes through the
 * client, so all of them share its retries and its rate-limit gate.
 */
import type { ExpiringTargetsClient } from '../core/client.js';
import { ExpiringTargetsError, RequestAbortedError } from '../core/errors.js';
import type { ResourceKind, SegmentTargetType } from '../core/instructions.js';
import { resourceApiOf } from '../core/internal/resource-api.js';
import { refOf, targetField } from '../core/resources.js';
import type { ExpiringTarget } from '../core/results.js';
import { type ListedResource, listResources, readAhead } from './listing.js';
import { type InventoryOptions, type InventoryProgress, type NormalizedInventoryOptions, normalizeInventoryOptions } from './options.js';

/** One context's scheduled removal from one segment list or flag variation. */
export interface ScheduledRemoval {
  /** `segment` or `flag`. */
  resourceKind: ResourceKind;
  /** The segment or flag key. */
  resourceKey: string;
  /** The segment's or flag's name, when the listing gives one. */
  resourceName: string | undefined;
  /** The context kind, such as `user`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
  /** For a segment: the list that holds the context. */
  targetType: SegmentTargetType | undefined;
  /** For a flag: the ID of the variation that targets the context. */
  variationId: string | undefined;
  /** For a flag: the variation's name, when the flag list gives one. */
  variationName: string | undefined;
  /** When LaunchDarkly removes the context. */
  expiresAt: Date;
  /** The expiring target's `_version`, as an update would carry it. */
  version: number | undefined;
}

/** What reading one resource gave: its removals, or why it could not be read. */
export type ResourceReading =
  | {
      /** The segment or flag read. */
      resource: ListedResource;
      /** Its scheduled removals. */
      removals: ScheduledRemoval[];
      /** Absent: it was read. */
      error?: undefined;
    }
  | {
      /** The segment or flag that could not be read. */
      resource: ListedResource;
      /** None: it could not be read. */
      removals: [];
      /** Why it could not be read. */
      error: ExpiringTargetsError;
    };

/** Resources the inventory could not read, after every other removal was delivered. */
export class IncompleteInventoryError extends ExpiringTargetsError {
  /** Always `'IncompleteInventoryError'`, also after minification. */
  override name = 'IncompleteInventoryError';
  /** Each unreadable resource with its error. */
  readonly unreadable: {
    /** The segment or flag. */
    resource: ListedResource;
    /** Why it could not be read. */
    error: ExpiringTargetsError;
  }[];
  constructor(unreadable: { resource: ListedResource; error: ExpiringTargetsError }[]) {
    const names = unreadable
      .slice(0, 5)
      .map(({ resource, error }) => `${resource.kind} ${JSON.stringify(resource.key)} (${error.message})`);
    super(`${unreadable.length} resource(s) could not be read: ${names.join('; ')}${unreadable.length > 5 ? '; …' : ''}`);
    this.unreadable = unreadable;
  }
}

function toRemoval(resource: ListedResource, target: ExpiringTarget): ScheduledRemoval {
  const field = targetField(resource.kind);
  const variationId = field === 'variationId' ? target.variationId : undefined;
  return {
    resourceKind: resource.kind,
    resourceKey: resource.key,
    resourceName: resource.name,
    contextKind: target.contextKind,
    contextKey: target.contextKey,
    targetType: field === 'targetType' ? (target.targetType as SegmentTargetType | undefined) : undefined,
    variationId,
    variationName: variationId === undefined ? undefined : resource.variations.find((v) => v.id === variationId)?.name,
    expiresAt: target.expiresAt,
    version: typeof target._version === 'number' ? target._version : undefined,
  };
}

/** The listed resources of one kind that pass the key, tag and name filters; named ones the listing lacks come last. */
async function* resourcesOf(
  client: ExpiringTargetsClient,
  kind: ResourceKind,
  o: NormalizedInventoryOptions,
  signal: AbortSignal,
  progress: () => void,
  listed: { n: number },
) {
  const named = o.named[kind];
  const seen = new Set<string>();
  for await (const page of readAhead(listResources(client, kind, { projectKey: o.projectKey, environmentKey: o.environmentKey, signal }))) {
    const wanted = page.filter(
      (r) => (named === undefined || named.has(r.key)) && o.matchesKey(r.key) && (o.tag === undefined || r.tags.includes(o.tag)),
    );
    listed.n += wanted.length;
    progress();
    for (const resource of wanted) {
      seen.add(resource.key);
      yield resource;
    }
  }
  // A named resource the listing does not hold (archived, misspelt) is read anyway: its error names it.
  for (const key of named ?? []) {
    if (!seen.has(key) && o.matchesKey(key)) yield { kind, key, name: undefined, tags: [], variations: [] } satisfies ListedResource;
  }
}

type Settled = { type: 'read'; self: Promise<Settled>; reading: ResourceReading } | { type: 'fatal'; error: unknown };
type Listed = { type: 'listed'; source: Source; result: IteratorResult<ListedResource> };
interface Source {
  iterator: AsyncGenerator<ListedResource>;
  /** A `next()` is under way. */
  pending: boolean;
  done: boolean;
}

/**
 * Every segment and flag of the project and environment that passes the filters, each with its
 * scheduled removals or the error that kept it from being read, in the order the reads finish.
 * Options are checked before any request. A listing page that cannot be read ends the iteration
 * with its error (the resources it would name are unknown); a resource that cannot be read is
 * delivered with its error and the others go on.
 */
export async function* readInventory(client: ExpiringTargetsClient, options: InventoryOptions): AsyncGenerator<ResourceReading> {
  const o = normalizeInventoryOptions(options);
  const controller = new AbortController();
  const onAbort = () => controller.abort(o.signal?.reason);
  if (o.signal?.aborted) throw new RequestAbortedError(o.signal.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  const state: InventoryProgress = { listed: 0, listingComplete: false, read: 0, unreadable: 0, removals: 0 };
  const listed = { n: 0 };
  const progress = () => o.onProgress?.({ ...state, listed: listed.n });

  const read = (resource: ListedResource): Promise<Settled> => {
    const call = { signal, maxRetries: o.maxRetries };
    const { projectKey, environmentKey } = o;
    const get = resourceApiOf(client, resource.kind).get(refOf(resource.kind, projectKey, environmentKey, resource.key), call);
    const self: Promise<Settled> = get.then(
      (result): Settled => {
        const removals = result.items
          .map((t) => toRemoval(resource, t))
          .filter((r) => r.expiresAt.getTime() < o.cutoffMs && (o.contextKind === undefined || r.contextKind === o.contextKind));
        return { type: 'read', self, reading: { resource, removals } };
      },
      (error: unknown): Settled => {
        if (signal.aborted || !(error instanceof ExpiringTargetsError)) return { type: 'fatal', error };
        return { type: 'read', self, reading: { resource, removals: [], error } };
      },
    );
    return self;
  };

  const sources: Source[] = o.kinds.map((kind) => ({
    iterator: resourcesOf(client, kind, o, signal, progress, listed),
    pending: false,
    done: false,
  }));
  const running = new Set<Promise<Settled>>();
  const ready: ListedResource[] = [];
  // What has settled, in order; the loop sleeps until something lands here (one wake-up per
  // event, rather than racing every promise in flight on each turn).
  const events: (Settled | Listed)[] = [];
  let wake: (() => void) | undefined;
  const land = (event: Settled | Listed) => {
    events.push(event);
    wake?.();
    wake = undefined;
  };
  try {
    for (;;) {
      while (running.size < o.concurrency && ready.length > 0) {
        const reading = read(ready.shift() as ListedResource);
        running.add(reading);
        void reading.then(land);
      }
      if (running.size < o.concurrency && ready.length === 0) {
        for (const source of sources) {
          if (source.done || source.pending) continue;
          source.pending = true;
          source.iterator.next().then(
            (result) => land({ type: 'listed', source, result }),
            (error: unknown) => land({ type: 'fatal', error }),
          );
        }
      }
      if (events.length === 0) {
        if (running.size === 0 && sources.every((s) => s.done)) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const next = events.shift() as Settled | Listed;
      if (next.type === 'listed') {
        next.source.pending = false;
        if (next.result.done) {
          next.source.done = true;
          if (sources.every((s) => s.done)) {
            state.listingComplete = true;
            progress();
          }
        } else ready.push(next.result.value);
        continue;
      }
      if (next.type === 'fatal') throw next.error;
      running.delete(next.self);
      state.read++;
      if (next.reading.error) state.unreadable++;
      state.removals += next.reading.removals.length;
      progress();
      yield next.reading;
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // Leaving early (a break, an error) cancels what is still in flight.
    controller.abort();
    await Promise.allSettled([...running, ...sources.map((s) => s.iterator.return(undefined))]);
  }
}

/**
 * Every scheduled removal, resource after resource as they are read. Resources that could not be
 * read are reported to `onUnreadable`; without it, once every other removal has been delivered,
 * iteration ends by throwing an {@link IncompleteInventoryError} naming them, so none is skipped
 * silently.
 * @example
 * ```ts
 * import { scheduledRemovals } from 'ld-expiring-targets/inventory';
 * for await (const r of scheduledRemovals(ld, { projectKey: 'default', environmentKey: 'production', within: '7d' }))
 *   console.log(r.expiresAt.toISOString(), r.resourceKind, r.resourceKey, r.contextKind, r.contextKey);
 * ```
 */
export async function* scheduledRemovals(
  client: ExpiringTargetsClient,
  options: InventoryOptions & { onUnreadable?: ((resource: ListedResource, error: ExpiringTargetsError) => void) | undefined },
): AsyncGenerator<ScheduledRemoval> {
  const unreadable: { resource: ListedResource; error: ExpiringTargetsError }[] = [];
  for await (const reading of readInventory(client, options)) {
    if (reading.error) {
      if (options.onUnreadable) options.onUnreadable(reading.resource, reading.error);
      else unreadable.push({ resource: reading.resource, error: reading.error });
    }
    yield* reading.removals;
  }
  if (unreadable.length > 0) throw new IncompleteInventoryError(unreadable);
}
