/** The options that name one segment or flag (`--project`, `--env`, `--segment`/`--flag`), read once. */
import type { Resource, Where } from './changes.js';

export type { Where };
import type { ParsedArgs } from './command.js';
import { required } from './parser.js';

/** The options naming the resource, in help order. */
export function whereOptions(resource: Resource | undefined): string[] {
  return ['project', 'env', resource ?? 'segment'];
}

export function whereOf({ values, resource }: ParsedArgs): Where {
  const kind = resource ?? 'segment';
  return { resource: kind, project: required(values, 'project'), env: required(values, 'env'), key: required(values, kind) };
}

export const segmentRef = (w: Where) => ({ projectKey: w.project, environmentKey: w.env, segmentKey: w.key });
export const flagRef = (w: Where) => ({ projectKey: w.project, environmentKey: w.env, flagKey: w.key });
