/**
 * What `report` and `export` do once their arguments are parsed: read the inventory through the
 * library's subpath, then print or write it. Unreadable resources are named and give the exit
 * code `plan` uses for them; everything else is still reported.
 */
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExpiringTargetsClient } from '../core/client.js';
import {
  type InventoryOptions,
  type ScheduledRemoval,
  type UnreadableResource,
  exportDesiredState,
  readInventory,
  removalsCsv,
  removalsJson,
  removalsText,
} from '../inventory/index.js';
import type { ResourceKind } from '../core/instructions.js';
import { isResourceKind } from '../core/resources.js';
import type { ParsedArgs } from './command.js';
import { UsageError } from './errors.js';
import { optionalString, required } from './parser.js';

/** The options both commands take to choose what is read, in help order. */
export const INVENTORY_OPTIONS = [
  'project',
  'env',
  'kind',
  'segments',
  'flags',
  'key-pattern',
  'tag',
  'within',
  'before',
  'context-kind',
] as const;

/** The filters both commands take. */
export interface InventoryArgs {
  projectKey: string;
  environmentKey: string;
  kinds: ResourceKind[] | undefined;
  segmentKeys: string[] | undefined;
  flagKeys: string[] | undefined;
  keyPattern: string | undefined;
  tag: string | undefined;
  within: string | undefined;
  before: string | undefined;
  contextKind: string | undefined;
}

function keyList(text: string | undefined, name: string): string[] | undefined {
  if (text === undefined) return undefined;
  const keys = text.split(',').map((k) => k.trim());
  if (keys.some((k) => k === '')) throw new UsageError(`--${name} takes keys separated by commas, got ${JSON.stringify(text)}`);
  return keys;
}

/** The filters from the parsed options; the inventory checks the values themselves before any request. */
export function inventoryArgsOf({ values }: ParsedArgs): InventoryArgs {
  const kind = optionalString(values, 'kind');
  if (kind !== undefined && !isResourceKind(kind)) throw new UsageError(`--kind must be segment or flag, got ${JSON.stringify(kind)}`);
  const segmentKeys = keyList(optionalString(values, 'segments'), 'segments');
  const flagKeys = keyList(optionalString(values, 'flags'), 'flags');
  // Naming resources of one kind only reads that kind: `--segments a,b` is those two segments.
  const named: ResourceKind[] = [...(segmentKeys ? (['segment'] as const) : []), ...(flagKeys ? (['flag'] as const) : [])];
  if (kind !== undefined && named.length > 0 && !named.includes(kind)) throw new UsageError(`--kind ${kind} contradicts --${named[0]}s`);
  return {
    projectKey: required(values, 'project'),
    environmentKey: required(values, 'env'),
    kinds: kind !== undefined ? [kind] : named.length > 0 ? named : undefined,
    segmentKeys,
    flagKeys,
    keyPattern: optionalString(values, 'key-pattern'),
    tag: optionalString(values, 'tag'),
    within: optionalString(values, 'within'),
    before: optionalString(values, 'before'),
    contextKind: optionalString(values, 'context-kind'),
  };
}

/** Where output goes: lines for stdout and stderr, and stdout written as is (a report's own text). */
export interface InventoryIO {
  out: { out(text?: string): void; err(text?: string): void; redact(text: string): string };
  stdout: { write(text: string): unknown; isTTY?: boolean | undefined };
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
}

/** Exit codes, from the CLI's one table. */
export interface InventoryCodes {
  ok: number;
  /** A resource could not be read (the code `plan` gives that). */
  unreadable: number;
}

/** The inventory's options from the parsed arguments. */
export function inventoryOptions(args: InventoryArgs, signal: AbortSignal): InventoryOptions {
  return {
    projectKey: args.projectKey,
    environmentKey: args.environmentKey,
    kinds: args.kinds,
    segmentKeys: args.segmentKeys,
    flagKeys: args.flagKeys,
    keyPattern: args.keyPattern,
    tag: args.tag,
    within: args.within,
    before: args.before,
    contextKind: args.contextKind,
    signal,
  };
}

async function collect(client: ExpiringTargetsClient, args: InventoryArgs, signal: AbortSignal) {
  const removals: ScheduledRemoval[] = [];
  const unreadable: UnreadableResource[] = [];
  for await (const reading of readInventory(client, inventoryOptions(args, signal))) {
    if (reading.error) unreadable.push({ resource: reading.resource, error: reading.error });
    else removals.push(...reading.removals);
  }
  return { removals, unreadable };
}

function nameUnreadable(io: InventoryIO, unreadable: readonly UnreadableResource[]): void {
  for (const { resource, error } of unreadable) io.out.err(`error: could not read ${resource.kind} ${resource.key}: ${error.message}`);
}

/** `report`: the removals for people (by day), as CSV or as JSON. */
export async function runReport(
  client: ExpiringTargetsClient,
  args: InventoryArgs,
  format: 'text' | 'json' | 'csv',
  io: InventoryIO,
  codes: InventoryCodes,
): Promise<number> {
  const { removals, unreadable } = await collect(client, args, io.signal);
  if (format === 'csv') io.stdout.write(io.out.redact(removalsCsv(removals)));
  else if (format === 'json') io.stdout.write(io.out.redact(removalsJson(removals, unreadable)));
  else {
    const colour = io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '';
    // The report's text neutralizes what came from LaunchDarkly itself, so its colour codes survive.
    io.stdout.write(io.out.redact(removalsText(removals, unreadable, { colour })));
  }
  if (format !== 'text') nameUnreadable(io, unreadable);
  return unreadable.length > 0 ? codes.unreadable : codes.ok;
}

/** How `export` writes: to stdout, or to a file (never over an existing one without `force`). */
export interface ExportTarget {
  output: string | undefined;
  format: 'yaml' | 'json' | undefined;
  force: boolean;
}

/** The format of an export: as asked, else by the output file's name, else YAML. */
export function exportFormat(target: ExportTarget): 'yaml' | 'json' {
  if (target.format !== undefined) return target.format;
  return target.output !== undefined && /\.json$/i.test(target.output) ? 'json' : 'yaml';
}

/** Writes `text` to `file`: with `force` through a temporary file and a rename (never half a file), else only if it does not exist. */
async function writeOutput(file: string, text: string, force: boolean): Promise<void> {
  if (!force) {
    let handle: FileHandle;
    try {
      handle = await open(file, 'wx');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`${file} exists; pass --force to overwrite it`);
      throw new UsageError(`cannot write ${file}: ${code ?? (error as Error).message}`);
    }
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return;
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Refuses an existing output file before anything is read, so a long read does not end in a refusal. */
export async function checkOutput(target: ExportTarget): Promise<void> {
  if (target.output === undefined || target.force) return;
  const handle = await open(target.output, 'r').catch(() => undefined);
  if (handle) {
    await handle.close();
    throw new UsageError(`${target.output} exists; pass --force to overwrite it`);
  }
}

/** `export`: the desired state of the project and environment, for `plan` and `sync`. */
export async function runExport(
  client: ExpiringTargetsClient,
  args: InventoryArgs,
  target: ExportTarget,
  io: InventoryIO,
  codes: InventoryCodes,
): Promise<number> {
  await checkOutput(target);
  const now = Date.now();
  const { removals, unreadable } = await collect(client, args, io.signal);
  if (unreadable.length > 0) {
    nameUnreadable(io, unreadable);
    // A file missing a resource's removals would have `plan --prune` cancel them: none is written.
    io.out.err(`nothing written: ${unreadable.length} resource(s) could not be read`);
    return codes.unreadable;
  }
  const exported = exportDesiredState(removals, {
    projectKey: args.projectKey,
    environmentKey: args.environmentKey,
    format: exportFormat(target),
    now,
  });
  if (target.output === undefined) io.stdout.write(io.out.redact(exported.text));
  else await writeOutput(target.output, io.out.redact(exported.text), target.force);
  if (exported.past > 0) io.out.err(`left out ${exported.past} removal(s) whose time has passed (LaunchDarkly is about to run them)`);
  if (target.output !== undefined)
    io.out.err(`wrote ${exported.removals} removal(s) of ${exported.resources} resource(s) to ${target.output}`);
  return codes.ok;
}
