/** The `--help` texts. */
import { VERSION } from '../version.js';
import type { Resource } from './changes.js';
import { type CommandName, OPTIONS, optionsOf } from './options.js';

export const BIN = 'ld-expiring-targets';

const EXIT_CODES = `Exit codes:
  0  every instruction applied (and: help, list, dry runs)
  1  LaunchDarkly answered, but some instructions failed or may not have applied
  2  usage or validation error: nothing was sent
  3  API, authentication or network error
  130, 143  interrupted by SIGINT (Ctrl-C) or SIGTERM; apply still writes its retry and unknown files

Environment:
  LD_API_KEY                 the access token, when --token is not given
  LD_EXPIRING_TARGETS_DEBUG  print stack traces of unexpected internal errors`;

export function mainHelp(): string {
  return `${BIN} ${VERSION}: schedule, change and cancel LaunchDarkly expiring targets

Usage:
  ${BIN} <segment|flag> <command> [options]
  ${BIN} <plan|sync> FILE [options]

Commands:
  list     show the contexts scheduled for removal
  add      schedule when contexts stop being targeted
  update   move a scheduled removal to a new time
  remove   cancel a scheduled removal (the context stays targeted)
  apply    apply a CSV or JSON Lines file of add/update/remove rows

  ${BIN} plan FILE   compare LaunchDarkly with a desired-state file (YAML); send nothing
  ${BIN} sync FILE   make LaunchDarkly match the file, after showing the plan

Examples:
  ${BIN} segment add --dry-run --project p --env e --segment s --context user:alice --target-type included --at +30d
  ${BIN} segment add --mock --project p --env e --segment s --context user:alice --target-type included --at +30d
  LD_API_KEY=api-… ${BIN} flag list --project default --env production --flag new-checkout
  ${BIN} segment apply cohort.csv --project default --env production --segment beta --dry-run
  ${BIN} plan expiring-targets.yaml --prune

Run '${BIN} <segment|flag> <command> --help' or '${BIN} <plan|sync> --help' for a command's options.

${EXIT_CODES}
  4  plan, sync: LaunchDarkly differs from the file and nothing was sent`;
}

const SUMMARY: Record<CommandName, string> = {
  list: 'Shows the contexts scheduled for removal from the RESOURCE.',
  add: 'Schedules when each --context stops being targeted by the RESOURCE.',
  update: 'Moves the scheduled removal of each --context to a new time.',
  remove: 'Cancels the scheduled removal of each --context; it stays targeted.',
  apply: 'Applies every row of FILE (CSV or JSON Lines), checking all rows before sending any.',
};

export function resourceHelp(resource: Resource): string {
  return `Usage: ${BIN} ${resource} <list|add|update|remove|apply> [options]

Run '${BIN} ${resource} <command> --help' for a command's options.`;
}

/** The options table of a command's help. */
export function optionsTable(names: readonly string[]): string {
  const labels = names.map((name) => {
    const doc = OPTIONS[name];
    return `${doc?.short ? `-${doc.short}, ` : ''}--${name}${doc?.value ? ` ${doc.value}` : ''}`;
  });
  const width = Math.max(...labels.map((l) => l.length));
  return names.map((name, i) => `  ${(labels[i] ?? '').padEnd(width)}  ${OPTIONS[name]?.help ?? ''}`).join('\n');
}

export function commandHelp(resource: Resource, command: CommandName): string {
  const names = optionsOf(resource, command);
  const noun = resource === 'segment' ? 'segment' : 'flag';
  const target = resource === 'segment' ? 'targetType' : 'variationId';
  const file =
    command === 'apply'
      ? `

FILE is CSV with a header row:
  action,contextKind,contextKey,${target},expiresAt
  add,user,alice,${resource === 'segment' ? 'included' : '4254742c-71ae-411f-a992-43b18a51afe0'},2030-12-31T00:00:00Z
  remove,user,bob,${resource === 'segment' ? 'excluded' : '4254742c-71ae-411f-a992-43b18a51afe0'},
or JSON Lines (.jsonl/.ndjson, or content starting with '{'), one object per line with the same
fields, in UTF-8 (a byte order mark is fine). action is add, update or remove; expiresAt (ISO-8601 with a zone, Unix ms, or +30d) is
empty for remove. Rows that did not apply are written to <input>.retry.csv, which apply accepts
again; rows whose fate is unknown (they may have applied) to <input>.unknown.csv, for review.`
      : '';
  return `Usage: ${BIN} ${resource} ${command}${command === 'apply' ? ' FILE' : ''} [options]

${SUMMARY[command].replace('RESOURCE', noun)}

Options:
${optionsTable(names)}${file}

${EXIT_CODES}`;
}
