/**
 * Every command-line option once: how the parser reads it and how `--help` describes it, so the
 * parser and the help can never disagree. A command lists the names it takes (`options`).
 */

export interface OptionDoc {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder for the value in help. */
  value?: string;
  help: string;
}

export const OPTIONS: Record<string, OptionDoc> = {
  project: { type: 'string', value: 'KEY', help: 'project key (required)' },
  env: { type: 'string', value: 'KEY', help: 'environment key (required)' },
  segment: { type: 'string', value: 'KEY', help: 'segment key (required)' },
  flag: { type: 'string', value: 'KEY', help: 'flag key (required)' },
  context: { type: 'string', multiple: true, value: 'KIND:KEY', help: 'the context, such as user:alice; repeat for several' },
  'target-type': { type: 'string', value: 'TYPE', help: "the segment's list: included or excluded (required)" },
  variation: { type: 'string', value: 'ID', help: 'the variation ID that targets the context (required)' },
  at: { type: 'string', value: 'TIME', help: 'when targeting ends: ISO-8601 with a zone, Unix ms, or +30d / +12h / +90m (required)' },
  comment: { type: 'string', value: 'TEXT', help: "shown in LaunchDarkly's audit log" },
  'dry-run': { type: 'boolean', help: 'validate and print the instructions; send nothing' },
  'allow-past': { type: 'boolean', help: 'accept expiry times in the past (LaunchDarkly then removes the context at once)' },
  'batch-size': { type: 'string', value: 'N', help: 'instructions per request (default 50)' },
  concurrency: { type: 'string', value: 'N', help: 'requests in flight at once (default 1)' },
  'retry-file': { type: 'string', value: 'PATH', help: 'where rows that did not apply go (default <input>.retry.csv)' },
  'unknown-file': { type: 'string', value: 'PATH', help: 'where rows that may have applied go (default <input>.unknown.csv)' },
  token: { type: 'string', value: 'TOKEN', help: 'access token (default: $LD_API_KEY, which is safer: arguments show in ps)' },
  'token-file': {
    type: 'string',
    value: 'PATH',
    help: "read the access token from a file ('-': standard input), so it is in neither ps nor shell history",
  },
  'base-url': { type: 'string', value: 'URL', help: 'API base URL (a proxy, a mock); overrides --instance' },
  instance: { type: 'string', value: 'NAME', help: 'commercial (default), federal or eu' },
  'api-version': { type: 'string', value: 'VERSION', help: 'LD-API-Version header (default 20240415)' },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: 'give up on an attempt after this long, answer included (default 30, at most 3600); retries follow',
  },
  mock: {
    type: 'boolean',
    help: 'run against an embedded Prism mock of the API (needs @stoplight/prism-cli, an optional peer dependency)',
  },
  prune: { type: 'boolean', help: 'also cancel scheduled removals the file does not list (for the segments and flags it names)' },
  yes: { type: 'boolean', short: 'y', help: 'apply without asking (required when not run in a terminal, as in CI)' },
  'read-concurrency': { type: 'string', value: 'N', help: 'segments and flags read at once (default 4)' },
  target: {
    type: 'string',
    multiple: true,
    value: 'RESOURCE',
    help: 'only this segment or flag: segment:PROJECT/ENVIRONMENT/KEY or flag:…; repeat for several',
  },
  'max-file-bytes': { type: 'string', value: 'N', help: 'refuse a larger FILE (default 33554432, 32 MiB)' },
  'max-resources': { type: 'string', value: 'N', help: 'refuse a FILE naming more segments and flags (default 1000; planning reads each)' },
  'max-rounds': { type: 'string', value: 'N', help: 'send again what is still pending, up to N rounds in all (default 3; 1 with --mock)' },
  out: { type: 'string', value: 'PATH', help: "also save the plan to PATH, for 'sync --plan PATH'" },
  format: {
    type: 'string',
    value: 'FORMAT',
    help: 'plan: text (default) or markdown (for a pull-request comment); export: yaml (default) or json',
  },
  plan: {
    type: 'string',
    value: 'PATH',
    help: "apply the plan saved by 'plan --out PATH' exactly (no FILE; refused if its files changed)",
  },
  json: { type: 'boolean', help: 'print one JSON document on stdout instead of tables' },
  verbose: { type: 'boolean', help: 'log each request on stderr: operation, status, attempts, duration, request id' },
  debug: { type: 'boolean', help: 'log each attempt, retry decision and wait on stderr (more than --verbose)' },
  'log-format': { type: 'string', value: 'FORMAT', help: 'text (default) or json: one JSON object per log line' },
  kind: { type: 'string', value: 'KIND', help: 'only segments or only flags: segment or flag (default both)' },
  segments: { type: 'string', value: 'KEYS', help: 'only these segments, comma-separated (with --flags: those too; alone: no flags)' },
  flags: { type: 'string', value: 'KEYS', help: 'only these flags, comma-separated (with --segments: those too; alone: no segments)' },
  'key-pattern': { type: 'string', value: 'GLOB', help: 'only segments and flags whose key matches (* any characters, ? one)' },
  tag: { type: 'string', value: 'TAG', help: 'only segments and flags with this tag' },
  within: { type: 'string', value: 'DURATION', help: 'only removals due within this long: 30m, 12h, 14d, 2w' },
  before: { type: 'string', value: 'DATE', help: 'only removals due before this time (ISO-8601; a bare date is UTC midnight)' },
  'context-kind': { type: 'string', value: 'KIND', help: 'only removals of contexts of this kind, such as user' },
  csv: { type: 'boolean', help: 'print CSV, one row per removal (columns in docs/inventory.md)' },
  output: { type: 'string', short: 'o', value: 'PATH', help: 'write to this file instead of stdout (JSON when it ends in .json)' },
  force: { type: 'boolean', help: 'overwrite an existing --output file' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** The options that say where requests go; every command that talks to LaunchDarkly takes them. */
export const CONNECTION_OPTIONS = [
  'token',
  'token-file',
  'base-url',
  'instance',
  'api-version',
  'timeout',
  'mock',
  'verbose',
  'debug',
  'log-format',
] as const;

/** The options every command ends with. */
export const OUTPUT_OPTIONS = ['json', 'help'] as const;
