/**
 * The project's prose files, and the code blocks in them, for the tests that keep the docs honest.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../support/project.js';

/**
 * Guides written in parallel with the docs tests, by the work on the proxy, sync, inventory,
 * telemetry and the frontend: their code blocks and the paths they name are not checked yet. Each
 * leaves this list once its blocks pass (a fragment declares what it uses; a block needing a
 * package the project does not install says no-check and why) and the paths it names exist.
 * Their relative links are checked like every other.
 */
export const NOT_YET_CHECKED: ReadonlySet<string> = new Set([
  'docs/proxy.md',
  'docs/sync.md',
  'docs/inventory.md',
  'docs/telemetry.md',
  'docs/frontend.md',
]);

/** Every Markdown file a reader is sent to: the README, the two contributor guides and docs/*.md. */
export function docFiles(): string[] {
  const top = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md'].filter((f) => existsSync(path.join(projectRoot, f)));
  const docsDir = path.join(projectRoot, 'docs');
  const guides = existsSync(docsDir)
    ? readdirSync(docsDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return [...top, ...guides];
}

export interface CodeBlock {
  /** The file, relative to the project root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string split on spaces: ['ts', 'runnable'], say. */
  info: string[];
  code: string;
}

/** The fenced code blocks of one file, with the line each starts on. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(path.join(projectRoot, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S.*)?$/.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    blocks.push({ file, line: start + 1, info: (open[2] ?? '').trim().split(/\s+/).filter(Boolean), code: `${body.join('\n')}\n` });
  }
  return blocks;
}

/** Relative links of one file: `[text](target)`, outside code blocks, with the line they are on. */
export function relativeLinks(file: string): { line: number; target: string }[] {
  const lines = readFileSync(path.join(projectRoot, file), 'utf8').split('\n');
  const links: { line: number; target: string }[] = [];
  let inFence = false;
  lines.forEach((text, i) => {
    if (/^\s*```/.test(text)) inFence = !inFence;
    if (inFence) return;
    // Inline code may hold brackets that are not links.
    const prose = text.replace(/`[^`]*`/g, '');
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!) || target!.startsWith('#')) continue;
      links.push({ line: i + 1, target: target! });
    }
  });
  return links;
}
