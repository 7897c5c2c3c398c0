/**
 * The inventory as a desired-state file that `plan` and `sync` read: one project, one
 * environment, each resource's scheduled removals sorted stably, times in UTC. Removals whose
 * time has passed are left out (LaunchDarkly is about to run them; a file cannot schedule the
 * past) and counted, so the caller can say so.
 */
import { Document, type Pair, type YAMLMap, isMap, isPair, isScalar } from 'yaml';
import { targetField } from '../core/resources.js';
import type { ScheduledRemoval } from './inventory.js';

/** Options of {@link exportDesiredState}. */
export interface ExportOptions {
  /** The project to export. */
  projectKey: string;
  /** The environment to export. */
  environmentKey: string;
  /** `yaml` (default; with a comment per resource) or `json`. */
  format?: 'yaml' | 'json' | undefined;
  /** Removals at or before this time (epoch ms) are left out. Default `Date.now()`. */
  now?: number | undefined;
}

/** The file's text and what went into it. */
export interface ExportedState {
  /** The desired-state file's text. */
  text: string;
  /** Removals written. */
  removals: number;
  /** Resources written. */
  resources: number;
  /** Removals left out because their time had passed. */
  past: number;
}

type Entry = Record<string, string>;

/** Code-unit order: the same on every machine, whatever its locale. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Text from LaunchDarkly made safe for a one-line comment: no line breaks or other controls, bounded. */
function commentText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const line = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function entryOf(r: ScheduledRemoval): Entry {
  const field = targetField(r.resourceKind);
  const target = { [field]: String(r[field]) };
  return { contextKind: r.contextKind, contextKey: r.contextKey, ...target, expiresAt: r.expiresAt.toISOString() };
}

function sortKey(e: Entry): string {
  return JSON.stringify([e.contextKind, e.contextKey, e.targetType ?? e.variationId]);
}

/** The comment above a resource: its name and, for a flag, the names of the variations its entries use. */
function resourceComment(removals: ScheduledRemoval[]): string | undefined {
  const first = removals[0];
  const parts: string[] = [];
  if (first?.resourceName) parts.push(commentText(first.resourceName));
  const variations = new Map<string, string>();
  for (const r of removals) if (r.variationId !== undefined && r.variationName) variations.set(r.variationId, r.variationName);
  if (variations.size > 0) {
    const named = [...variations].sort(([a], [b]) => byCodeUnit(a, b)).map(([id, name]) => `${commentText(id)} = ${commentText(name)}`);
    parts.push(`variations: ${named.join(', ')}`);
  }
  return parts.length > 0 ? ` ${parts.join('; ')}` : undefined;
}

/** Writes the desired state of one project and environment from its scheduled removals. */
export function exportDesiredState(removals: Iterable<ScheduledRemoval>, options: ExportOptions): ExportedState {
  const now = options.now ?? Date.now();
  const byResource = { segment: new Map<string, ScheduledRemoval[]>(), flag: new Map<string, ScheduledRemoval[]>() };
  let past = 0;
  let written = 0;
  for (const r of removals) {
    if (r.expiresAt.getTime() <= now) {
      past++;
      continue;
    }
    const map = byResource[r.resourceKind];
    const list = map.get(r.resourceKey) ?? [];
    list.push(r);
    map.set(r.resourceKey, list);
    written++;
  }
  const section = (map: Map<string, ScheduledRemoval[]>) =>
    Object.fromEntries(
      [...map.keys()].sort(byCodeUnit).map((key) => {
        const entries = (map.get(key) ?? []).map(entryOf).sort((a, b) => byCodeUnit(sortKey(a), sortKey(b)));
        return [key, entries];
      }),
    );
  const environment = { segments: section(byResource.segment), flags: section(byResource.flag) };
  const state = { projects: { [options.projectKey]: { environments: { [options.environmentKey]: environment } } } };
  const resources = byResource.segment.size + byResource.flag.size;
  const result = { removals: written, resources, past };
  if (options.format === 'json') return { text: `${JSON.stringify(state, null, 2)}\n`, ...result };

  const doc = new Document(state, { version: '1.2', schema: 'core' });
  doc.commentBefore = [
    ` Scheduled removals of project ${commentText(options.projectKey)}, environment ${commentText(options.environmentKey)},`,
    ` exported ${new Date(now).toISOString()} by ld-expiring-targets export: ${written} in ${resources} resource(s).`,
    ' Times are UTC. Removals already due were left out. `ld-expiring-targets plan` of this file shows no changes.',
  ].join('\n');
  const envNode = doc.getIn(['projects', options.projectKey, 'environments', options.environmentKey], true);
  if (isMap(envNode)) {
    for (const [section, kind] of [
      ['segments', 'segment'],
      ['flags', 'flag'],
    ] as const) {
      const sectionNode = (envNode as YAMLMap).get(section, true);
      if (!isMap(sectionNode)) continue;
      for (const pair of sectionNode.items as Pair[]) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const comment = resourceComment(byResource[kind].get(String(pair.key.value)) ?? []);
        if (comment !== undefined) pair.key.commentBefore = comment;
      }
    }
  }
  return { text: doc.toString({ lineWidth: 0 }), ...result };
}
