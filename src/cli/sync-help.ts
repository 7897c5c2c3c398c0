/** The `--help` texts of `plan` and `sync`. */
import { BIN, optionsTable } from './help.js';
import { type SyncCommandName, syncOptionsOf } from './options.js';

const SUMMARY: Record<SyncCommandName, string> = {
  plan: `Reads the expiring targets of every segment and flag FILE names (one request each) and shows
what it takes to make LaunchDarkly match FILE: + add, ~ update (from → to), - remove (only with
--prune). Sends no change.`,
  sync: `Plans as 'plan' does, shows the plan, asks for confirmation (or takes --yes), applies each
resource's changes in batches (an answer lost on the way is settled by reading back), then plans
again and says whether LaunchDarkly now matches FILE. A change refused because its target changed
after planning is planned and sent once more; anything else that did not apply stays pending.`,
};

const EXIT_CODES: Record<SyncCommandName, string> = {
  plan: `Exit codes:
  0  no changes: LaunchDarkly matches FILE
  4  changes pending (listed above)
  2  usage error, or FILE has errors (each with its line and column); nothing was read
  3  API, authentication or network error: some segment or flag could not be read`,
  sync: `Exit codes:
  0  LaunchDarkly matches FILE (nothing to do, or everything applied)
  1  some changes did not apply (failed, or unknown after reading back): they are still pending
  4  changes pending and nothing was sent (the confirmation was declined)
  2  usage error, FILE has errors, or no --yes outside a terminal; nothing was sent
  3  API, authentication or network error
  130  interrupted`,
};

export function syncHelp(command: SyncCommandName): string {
  return `Usage: ${BIN} ${command} FILE [options]

${SUMMARY[command]}

Options:
${optionsTable(syncOptionsOf(command))}

FILE is YAML (schema: schemas/expiring-targets.schema.json in the package):
  projects:
    default:                          # project key
      environments:
        production:                   # environment key
          segments:
            beta-testers:             # segment key
              - contextKind: user
                contextKey: alice
                targetType: included  # or excluded
                expiresAt: 2030-12-31T00:00:00Z
          flags:
            new-checkout:             # flag key
              - { contextKind: user, contextKey: bob, variationId: <variation-id>, expiresAt: 2030-12-31T09:00:00+09:00 }
Times are ISO-8601 date-times with a zone. A context may appear once per segment or flag.

${EXIT_CODES[command]}`;
}
