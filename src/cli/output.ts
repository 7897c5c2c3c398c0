/**
 * Everything the CLI prints goes through one Output, which replaces the access token wherever
 * it might appear (a server echoing a header, an error message) before it reaches a terminal,
 * a log or a `--json` consumer. It redacts with the library's redactor, so it also knows the
 * spellings `--json` output gives a token (escaped inside a JSON string).
 */
import { type Redactor, createRedactor } from '../redact.js';

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export class Output {
  readonly stdout: Writable;
  readonly stderr: Writable;
  private readonly secrets: string[] = [];
  private redactor: Redactor = (text) => text;

  constructor(stdout: Writable, stderr: Writable) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Adds a value that must never be printed. */
  addSecret(secret: string | undefined): void {
    if (!secret || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    this.redactor = createRedactor(this.secrets);
  }

  redact(text: string): string {
    return this.redactor(text);
  }

  /** A line (or lines) on stdout. */
  out(text = ''): void {
    this.stdout.write(`${this.redact(text)}\n`);
  }

  /** A line (or lines) on stderr. */
  err(text = ''): void {
    this.stderr.write(`${this.redact(text)}\n`);
  }

  /** Raw text on stderr, for the progress bar. */
  errRaw(text: string): void {
    this.stderr.write(this.redact(text));
  }

  /** One JSON document on stdout. */
  json(value: unknown): void {
    this.stdout.write(`${this.redact(JSON.stringify(value, null, 2))}\n`);
  }
}

/** Columns padded to their widest cell, two spaces apart, with a rule under the header. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
