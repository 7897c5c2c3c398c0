/**
 * docs/cli.md's exit-code table is the CLI's one table, rendered: between its
 * `<!-- exit-codes:start -->` and `<!-- exit-codes:end -->` markers it must equal what
 * src/cli/exit-codes.ts's `exitCodesMarkdown` renders for the commands of src/cli/commands/.
 * The modules are looked up at run time, so this file type-checks whichever shape src/cli has.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/project.js';

type Render = (commands?: readonly { name: string; exits: readonly string[] }[]) => string;

async function renderer(): Promise<{ render: Render; commands: readonly { name: string; exits: readonly string[] }[] } | undefined> {
  const exitCodes = path.join(projectRoot, 'src', 'cli', 'exit-codes.ts');
  const index = path.join(projectRoot, 'src', 'cli', 'commands', 'index.ts');
  const mod = (await import(exitCodes)) as { exitCodesMarkdown?: Render };
  if (typeof mod.exitCodesMarkdown !== 'function') return undefined;
  const commands = existsSync(index)
    ? ((await import(index)) as { COMMANDS?: readonly { name: string; exits: readonly string[] }[] }).COMMANDS
    : undefined;
  return { render: mod.exitCodesMarkdown, commands: commands ?? [] };
}

const found = await renderer();
const cliGuide = readFileSync(path.join(projectRoot, 'docs', 'cli.md'), 'utf8');
const region = /<!-- exit-codes:start -->\n([\s\S]*?)\n<!-- exit-codes:end -->/.exec(cliGuide)?.[1];

describe("docs/cli.md's exit codes", () => {
  it('has one marked table of exit codes, listing 0, 1, 2, 3, 4, 130 and 143', () => {
    expect(region).toBeDefined();
    const codes = [...region!.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual([0, 1, 2, 3, 4, 130, 143]);
  });

  it('is the table src/cli/exit-codes.ts renders, for every command', () => {
    const expected = found!.render(found!.commands.map((c) => ({ name: c.name, exits: c.exits })));
    expect(region).toBe(expected);
  });
});
