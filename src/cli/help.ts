/** The `--help` texts, written from the commands' declarations, options.ts and the exit-code table. */
import { VERSION } from '../core/version.js';
import type { Resource } from './changes.js';
import type { AnyCommand } from './command.js';
import { exitCodesHelp } from './exit-codes.js';
import { OPTIONS } from './options.js';

export const BIN = 'ld-expiring-targets';

const ENVIRONMENT = `Environment:
  LD_API_KEY                 the access token, when --token is not given
  LD_EXPIRING_TARGETS_DEBUG  print stack traces of unexpected internal errors
  LD_EXPIRING_TARGETS_LOG    log level on stderr when neither --verbose nor --debug is given (debug, info, warn, error, off)`;

export function mainHelp(commands: readonly AnyCommand[]): string {
  const resourceCommands = commands.filter((c) => c.scope === 'resource');
  const fileCommands = commands.filter((c) => c.scope === 'file');
  const projectCommands = commands.filter((c) => c.scope === 'project');
  const width = Math.max(...resourceCommands.map((c) => c.name.length));
  const projectWidth = Math.max(0, ...projectCommands.map((c) => c.name.length));
  const projectUsage =
    projectCommands.length > 0 ? `\n  ${BIN} <${projectCommands.map((c) => c.name).join('|')}> --project KEY --env KEY [options]` : '';
  const projectList = projectCommands.map((c) => `\n  ${BIN} ${c.name.padEnd(projectWidth)}   ${c.summary}`).join('');
  const fileWidth = Math.max(...fileCommands.map((c) => `${c.name} ${c.operand ?? ''}`.length));
  return `${BIN} ${VERSION}: schedule, change and cancel LaunchDarkly expiring targets

Usage:
  ${BIN} <segment|flag> <command> [options]
  ${BIN} <${fileCommands.map((c) => c.name).join('|')}> FILE [options]${projectUsage}

Commands:
${resourceCommands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n')}

${fileCommands.map((c) => `  ${BIN} ${`${c.name} ${c.operand ?? ''}`.padEnd(fileWidth)}   ${c.summary}`).join('\n')}${projectList}

  ${BIN} help [COMMAND]      this help, or a command's ('help segment add', 'help plan')
  ${BIN} version             the version (also --version, -V)
  ${BIN} completion SHELL    a completion script for bash, zsh or fish

Examples:
  ${BIN} segment add --dry-run --project p --env e --segment s --context user:alice --target-type included --at +30d
  ${BIN} segment add --mock --project p --env e --segment s --context user:alice --target-type included --at +30d
  LD_API_KEY=api-… ${BIN} flag list --project default --env production --flag new-checkout
  ${BIN} segment apply cohort.csv --project default --env production --segment beta --dry-run
  ${BIN} plan expiring-targets.yaml --prune

Run '${BIN} <segment|flag> <command> --help' or '${BIN} <${fileCommands.map((c) => c.name).join('|')}> --help' for a command's options.

${exitCodesHelp()}

${ENVIRONMENT}`;
}

export function resourceHelp(resource: Resource, commands: readonly AnyCommand[]): string {
  return `Usage: ${BIN} ${resource} <${commands.map((c) => c.name).join('|')}> [options]

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

export function commandHelp(command: AnyCommand, resource: Resource | undefined): string {
  const words = [BIN, resource, command.name, command.operand].filter((w) => w !== undefined).join(' ');
  const details = command.details?.(resource);
  return `Usage: ${words} [options]

${command.describe(resource)}

Options:
${optionsTable(command.options(resource))}${details ? `\n\n${details}` : ''}

${exitCodesHelp(command.exits, command.name)}

${ENVIRONMENT}`;
}
