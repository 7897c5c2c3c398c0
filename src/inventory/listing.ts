/**
 * Reading LaunchDarkly's listings of flags and segments page by page: the one place that knows
 * about `limit`, `offset` and `_links.next`. Pages are read through the client's typed raw
 * client, so they share its retries, timeouts, redaction and rate-limit gate.
 */
import { LISTING_RULES } from '../../generated/instruction-rules.js';
import { type ExpiringTargetsClient, apiError, parseJson } from '../core/client.js';
import { InvalidResponseError } from '../core/errors.js';
import { RESOURCES } from '../core/resources.js';
import type { ResourceKind } from '../core/instructions.js';

/** A flag or segment as its listing describes it: only what the inventory reads. */
export interface ListedResource {
  /** `segment` or `flag`. */
  kind: ResourceKind;
  /** The segment or flag key. */
  key: string;
  /** Its name, when the listing gives one. */
  name: string | undefined;
  /** Its tags (empty when none). */
  tags: string[];
  /** A flag's variations: ID and name (when it has one). Empty for a segment. */
  variations: {
    /** The variation's id, as `variationId` names it. */
    id: string;
    /** Its name, when the flag gives one. */
    name: string | undefined;
  }[];
}

/** Where the listing is, and how to read it. */
export interface ListingScope {
  projectKey: string;
  environmentKey: string;
  signal: AbortSignal;
}

/** More pages than this is a server that never ends its list: at the largest page, a million resources. */
const MAX_PAGES = 10_000;
/** A key, name or tag longer than this is not one LaunchDarkly would hold. */
const MAX_TEXT = 4096;
const MAX_TAGS = 1000;
const MAX_VARIATIONS = 1000;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_TEXT ? value : undefined;
}

/** One listed item, checked; undefined when it has no usable key. */
function listedResource(kind: ResourceKind, item: unknown): ListedResource | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const i = item as { key?: unknown; name?: unknown; tags?: unknown } & Record<string, unknown>;
  const field = RESOURCES[kind].variationsField;
  const listed = field === undefined ? undefined : i[field];
  const key = text(i.key);
  if (key === undefined || key.trim() === '') return undefined;
  const tags = Array.isArray(i.tags) ? i.tags.slice(0, MAX_TAGS).flatMap((t) => text(t) ?? []) : [];
  const variations = Array.isArray(listed)
    ? listed.slice(0, MAX_VARIATIONS).flatMap((v: { _id?: unknown; name?: unknown } | null) => {
        const id = text(v?._id);
        return id === undefined ? [] : [{ id, name: text(v?.name) || undefined }];
      })
    : [];
  return { kind, key, name: text(i.name) || undefined, tags, variations };
}

/** The offset the `next` link asks for, or undefined when there is no next page. */
function nextOffset(body: { _links?: unknown }, offset: number, count: number, where: string): number | undefined {
  const links = body._links as { next?: { href?: unknown } } | undefined;
  const href = links?.next?.href;
  if (href === undefined || href === null || count === 0) return undefined;
  const url =
    typeof href === 'string' && URL.canParse(href, 'http://listing.invalid') ? new URL(href, 'http://listing.invalid') : undefined;
  const raw = url?.searchParams.get('offset');
  const next = raw === undefined || raw === null ? Number.NaN : Number(raw);
  // A next page must lie further on; anything else would read the same pages forever.
  if (!Number.isSafeInteger(next) || next <= offset) {
    throw new InvalidResponseError(`${where}: the next-page link does not move past offset ${offset}`, { status: 200, method: 'GET' });
  }
  return next;
}

/** One page: the raw GET, its error mapped as every other request's, its body checked. */
async function readPage(client: ExpiringTargetsClient, kind: ResourceKind, scope: ListingScope, offset: number) {
  const limit = LISTING_RULES[kind].limit.maximum;
  const { projectKey, environmentKey, signal } = scope;
  // The URL as errors show it (the answer the client hands up is a fresh Response without one).
  let url: string | undefined;
  const middleware = [{ onRequest: ({ request }: { request: Request }) => void (url = request.url) }];
  // The generated rules say where the environment goes: in the path (segments) or as the `env` query (flags).
  const rules = LISTING_RULES[kind];
  const inPath = (rules.pathParams as readonly string[]).includes('environmentKey');
  const params = inPath
    ? { path: { projectKey, environmentKey }, query: { limit, offset } }
    : { path: { projectKey }, query: { env: environmentKey, limit, offset } };
  const { data, error, response } = await client.raw.GET(rules.path as typeof LISTING_RULES.segment.path, {
    params: params as { path: { projectKey: string; environmentKey: string }; query: { limit: number; offset: number } },
    parseAs: 'text',
    signal,
    middleware,
  });
  if (!response.ok) throw apiError('GET', response, parseErrorBody(error), url, false);
  const body = parseJson(data, response, 'GET', url);
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    throw new InvalidResponseError(`GET ${LISTING_RULES[kind].path} answered without an items list`, {
      status: response.status,
      method: 'GET',
      url,
    });
  }
  return { body: body as { _links?: unknown }, items };
}

function parseErrorBody(error: unknown): unknown {
  if (typeof error !== 'string') return error;
  try {
    return JSON.parse(error);
  } catch {
    return error;
  }
}

/**
 * Every flag or segment of the listing, page by page at the largest page the schema allows,
 * following `_links.next`. Items without a key are skipped (there is nothing to read of them).
 */
export async function* listResources(
  client: ExpiringTargetsClient,
  kind: ResourceKind,
  scope: ListingScope,
): AsyncGenerator<ListedResource[]> {
  let offset = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { body, items } = await readPage(client, kind, scope, offset);
    yield items.flatMap((item) => listedResource(kind, item) ?? []);
    const next = nextOffset(body, offset, items.length, `the ${kind} listing`);
    if (next === undefined) return;
    offset = next;
  }
  throw new InvalidResponseError(`the ${kind} listing has more than ${MAX_PAGES} pages`, { status: 200, method: 'GET' });
}

/** The pages of `pages`, the next one requested as soon as one is handed over. */
export async function* readAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = pages.next();
      // Awaited on the next turn; until then a failure must not count as unhandled.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await pages.return(undefined).catch(() => undefined);
  }
}
