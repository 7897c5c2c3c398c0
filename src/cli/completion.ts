/**
 * `completion bash|zsh|fish`: a shell completion script, written from the commands' declarations
 * and options.ts, so it offers exactly the words the parser accepts.
 */
import { RESOURCE_KINDS } from '../core/resources.js';
import type { Resource } from './changes.js';
import type { AnyCommand } from './command.js';
import { BIN } from './help.js';
import { OPTIONS } from './options.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const RESOURCES: readonly Resource[] = RESOURCE_KINDS;
/** The words the parser knows besides the commands' own (parser.ts). */
export const BUILTIN_WORDS = ['help', 'version', 'completion'] as const;

/** One command as typed: its words (`segment add`, `plan`), its options and whether it takes a file. */
interface Entry {
  words: readonly string[];
  options: readonly string[];
  file: boolean;
}

function entries(commands: readonly AnyCommand[]): Entry[] {
  const found: Entry[] = [];
  for (const resource of RESOURCES) {
    for (const c of commands.filter((c) => c.scope === 'resource')) {
      found.push({ words: [resource, c.name], options: c.options(resource).map((o) => `--${o}`), file: c.operand !== undefined });
    }
  }
  for (const c of commands.filter((c) => c.scope !== 'resource'))
    found.push({ words: [c.name], options: c.options(undefined).map((o) => `--${o}`), file: c.operand !== undefined });
  return found;
}

const firstWords = (commands: readonly AnyCommand[]) => [
  ...RESOURCES,
  ...commands.filter((c) => c.scope !== 'resource').map((c) => c.name),
  ...BUILTIN_WORDS,
  '--help',
  '--version',
];
const resourceWords = (commands: readonly AnyCommand[]) => commands.filter((c) => c.scope === 'resource').map((c) => c.name);
const fn = `_${BIN.replace(/-/g, '_')}`;

function bash(commands: readonly AnyCommand[]): string {
  const cases = entries(commands).map((e) => `    "${e.words.join(' ')}") words="${e.options.join(' ')}"; files=${e.file ? 1 : 0} ;;`);
  return `# ${BIN} completion for bash: add to ~/.bashrc:  source <(${BIN} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words="" files=0 key
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${firstWords(commands).join(' ')}"
  elif [ "$COMP_CWORD" -eq 2 ] && { [ "\${COMP_WORDS[1]}" = segment ] || [ "\${COMP_WORDS[1]}" = flag ]; }; then
    words="${resourceWords(commands).join(' ')}"
  elif [ "\${COMP_WORDS[1]}" = completion ]; then
    words="${SHELLS.join(' ')}"
  else
    case "\${COMP_WORDS[1]}" in segment|flag) key="\${COMP_WORDS[1]} \${COMP_WORDS[2]}" ;; *) key="\${COMP_WORDS[1]}" ;; esac
    case "$key" in
${cases.join('\n')}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  if [ "$files" -eq 1 ] && [ "\${cur#-}" = "$cur" ]; then COMPREPLY+=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F ${fn} ${BIN}
`;
}

function zsh(commands: readonly AnyCommand[]): string {
  const cases = entries(commands).map((e) => `    "${e.words.join(' ')}") candidates=(${e.options.join(' ')}); files=${e.file ? 1 : 0} ;;`);
  return `#compdef ${BIN}
# ${BIN} completion for zsh: add to ~/.zshrc (after compinit):  source <(${BIN} completion zsh)
${fn}() {
  local -a candidates
  local files=0 key
  if (( CURRENT == 2 )); then
    candidates=(${firstWords(commands).join(' ')})
  elif (( CURRENT == 3 )) && [[ $words[2] == segment || $words[2] == flag ]]; then
    candidates=(${resourceWords(commands).join(' ')})
  elif [[ $words[2] == completion ]]; then
    candidates=(${SHELLS.join(' ')})
  else
    case $words[2] in segment|flag) key="$words[2] $words[3]" ;; *) key="$words[2]" ;; esac
    case $key in
${cases.join('\n')}
    esac
  fi
  compadd -a candidates
  (( files )) && _files
  return 0
}
compdef ${fn} ${BIN}
`;
}

/** A fish description: one line, no quote that ends it. */
const fishText = (text: string) => text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");

function fish(commands: readonly AnyCommand[]): string {
  const c = `complete -c ${BIN}`;
  const resourceCommands = resourceWords(commands);
  const lines = [
    `# ${BIN} completion for fish: ${BIN} completion fish > ~/.config/fish/completions/${BIN}.fish`,
    `${c} -f`,
    `${c} -n '__fish_use_subcommand' -a '${firstWords(commands)
      .filter((w) => !w.startsWith('-'))
      .join(' ')}'`,
    `${c} -n '__fish_seen_subcommand_from ${RESOURCES.join(' ')}; and not __fish_seen_subcommand_from ${resourceCommands.join(' ')}' -a '${resourceCommands.join(' ')}'`,
    `${c} -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'`,
    `${c} -n '__fish_use_subcommand' -l version -s V -d 'print the version'`,
  ];
  for (const e of entries(commands)) {
    const when = e.words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ');
    if (e.file) lines.push(`${c} -n '${when}' -F`);
    for (const option of e.options) {
      const doc = OPTIONS[option.slice(2)];
      const short = doc?.short ? ` -s ${doc.short}` : '';
      lines.push(`${c} -n '${when}' -l ${option.slice(2)}${short}${doc?.type === 'string' ? ' -r' : ''} -d '${fishText(doc?.help ?? '')}'`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, commands: readonly AnyCommand[]): string {
  return shell === 'bash' ? bash(commands) : shell === 'zsh' ? zsh(commands) : fish(commands);
}
