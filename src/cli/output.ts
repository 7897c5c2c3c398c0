/**
 * Everything the CLI prints goes through one Output, which makes text safe before it reaches a
 * terminal, a log or a `--json` consumer:
 *
 * - the library's redactor replaces the access token wherever it might appear (a server echoing
 *   a header, an error message);
 * - `neutralize` replaces control characters, so that text from a server or an input file (an
 *   error message, a context key) cannot move the cursor, clear the screen or retitle the window.
 */
import { type Redactor, createRedactor } from '../core/redact.js';

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  /** A stream's 'drain' event: a long output waits for it instead of filling memory. */
  once?(event: 'drain', listener: () => void): unknown;
}

/** Rows a table shows before "… and N more": about a screenful. */
export const SCREEN_ROWS = 20;

// C0 controls, DEL and C1 controls (U+0080–U+009F: 0x9B alone starts an escape sequence on some
// terminals). ESC is one of them, so an escape sequence loses its introducer and prints as text.
// Then the invisible format characters that reorder or disguise text (a key that reads backwards,
// a line that looks like another): the bidi marks, embeddings, overrides and isolates
// (U+200E/F, U+061C, U+202A–U+202E, U+2066–U+2069).
const FORMAT = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const CONTROLS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${FORMAT}]`, 'g');
const CONTROLS_BUT_LINE_BREAKS = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f${FORMAT}]`, 'g');
/** `\xNN` for a control character, `\uNNNN` for a format character. */
const visible = (c: string) => {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};
/** What JSON.stringify leaves raw but a terminal acts on: DEL, C1 and the format characters above. */
const RAW_IN_JSON = new RegExp(`[\\u007f-\\u009f${FORMAT}]`, 'g');

/**
 * Text from elsewhere, safe for a terminal: each control character becomes `\xNN`, each bidi
 * or other invisible format character `\uNNNN`. With
 * `keepLineBreaks`, `\n` stays (for whole messages); without, it too is shown (for table cells).
 */
export function neutralize(text: string, keepLineBreaks = false): string {
  return text.replace(keepLineBreaks ? CONTROLS_BUT_LINE_BREAKS : CONTROLS, visible);
}

/** JSON text that carries no raw control or format character: JSON.stringify leaves DEL, C1 and bidi as they are. */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class Output {
  readonly stdout: Writable;
  readonly stderr: Writable;
  private readonly secrets: string[] = [];
  private redactor: Redactor = createRedactor([]);

  constructor(stdout: Writable, stderr: Writable) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Adds a value that must never be printed. */
  addSecret(secret: string | undefined): void {
    if (secret && !this.secrets.includes(secret)) {
      this.secrets.push(secret);
      this.redactor = createRedactor(this.secrets);
    }
  }

  redact(text: string): string {
    return this.redactor(text);
  }

  /** A line (or lines) on stdout. */
  out(text = ''): void {
    this.stdout.write(`${neutralize(this.redact(text), true)}\n`);
  }

  /** A line (or lines) on stderr. */
  err(text = ''): void {
    this.stderr.write(`${neutralize(this.redact(text), true)}\n`);
  }

  /** The progress bar's own drawing on stderr: its control sequences are ours; its text is neutralized by the bar. */
  errRaw(text: string): void {
    this.stderr.write(this.redact(text));
  }

  /** One JSON document on stdout. */
  json(value: unknown): void {
    this.stdout.write(`${this.redact(jsonText(value, 2))}\n`);
  }

  /**
   * A piece of a JSON document written in parts (its values through `jsonText`); resolves once
   * stdout can take more, so a long document never piles up in memory.
   */
  async jsonPart(text: string): Promise<void> {
    if (this.stdout.write(this.redact(text)) === false && this.stdout.once) {
      await new Promise<void>((resolve) => this.stdout.once?.('drain', resolve));
    }
  }
}

/** Columns padded to their widest cell, two spaces apart, with a rule under the header. Cells are neutralized. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => r.map((c) => neutralize(c)));
  const widths = headers.map((h) => h.length);
  for (const row of cells) {
    row.forEach((c, i) => {
      if (c.length > (widths[i] ?? 0)) widths[i] = c.length;
    });
  }
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * A table of at most a screenful: the rows given (the caller keeps no more than `SCREEN_ROWS`),
 * then, when `total` is larger, "… and N more" with where to find the full list.
 */
export function screenfulTable(headers: readonly string[], rows: readonly (readonly string[])[], total: number, fullList: string): string {
  const shown = rows.slice(0, SCREEN_ROWS);
  const more = total - shown.length;
  return more > 0 ? `${table(headers, shown)}\n… and ${more} more (${fullList})` : table(headers, shown);
}
