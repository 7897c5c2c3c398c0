/**
 * Reading a desired-state file from disk as data and nothing else: a regular file only (a link,
 * a FIFO, a device or a folder is refused before a byte is read, so a link to a secret is never
 * printed and a FIFO never hangs), at most `maxBytes`, valid UTF-8, and abortable between chunks.
 * `.json` files are read as JSON, anything else as YAML; both with the same schema and positions.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { RequestAbortedError } from '../core/errors.js';
import { positiveOption } from './bounds.js';
import type { DesiredState, ParseOptions } from './desired-state.js';
import { DesiredStateError } from './desired-state-error.js';
import type { CompiledResource } from './compile-desired.js';
import { readDesiredState } from './parse-desired.js';

/** The largest file read by default: 32 MiB (a file of 100 segments of 1,000 contexts is about 12 MB). */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** Options of {@link readDesiredStateFile}. */
export interface ReadFileOptions extends Omit<ParseOptions, 'fileName'> {
  /** The largest file accepted, in bytes. Default 32 MiB. */
  maxBytes?: number | undefined;
  /** Ends the reading (with a RequestAbortedError) between chunks. */
  signal?: AbortSignal | undefined;
}

/** A desired-state file read and checked. */
export interface DesiredStateFile {
  /** The desired state it holds. */
  desired: DesiredState;
  /** SHA-256 of its bytes, hex: a saved plan records it to tell whether the file changed since. */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
}

/** A problem with the file as a whole (no line in it to point at). */
function refused(file: string, message: string): DesiredStateError {
  return new DesiredStateError([{ line: undefined, column: undefined, path: [], message }], file);
}

/** Decodes UTF-8, refusing what is not (rather than replacing it), and drops a leading BOM. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The byte offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    const second = bytes[i + 1] as number;
    // The second byte's range rules out overlong forms, surrogates and code points above U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < offset; at = bytes.indexOf(0x0a, at + 1)) {
    line++;
    start = at + 1;
  }
  return { line, column: offset - start + 1 };
}

async function openRegular(file: string, maxBytes: number): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a link is refused, not followed; O_NONBLOCK: opening a FIFO does not wait for a writer.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw refused(file, 'the file is a symbolic link; only regular files are read (give the path of the file itself)');
    if (code === 'ENOENT') throw refused(file, 'no such file');
    if (code === 'EISDIR') throw refused(file, 'the path is a folder, not a regular file');
    throw refused(file, `cannot open the file (${code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const what = info.isFIFO()
        ? 'a FIFO'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : info.isDirectory()
            ? 'a folder'
            : info.isSocket()
              ? // Stryker disable next-line StringLiteral: opening a socket fails (ENXIO) before its type is looked at
                'a socket'
              : // Stryker disable next-line StringLiteral: a path that opens is a file, FIFO, device, folder or socket
                'not a regular file';
      throw refused(file, `the path is ${what}; only regular files are read`);
    }
    if (info.size > maxBytes)
      throw refused(
        file,
        `the file has ${info.size} bytes, more than the limit of ${maxBytes} (raise it with maxBytes; --max-file-bytes on the command line)`,
      );
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The file's bytes, at most `maxBytes` (it may grow after it was checked): read into one buffer
 * of the size the file had (no second copy to join chunks), a chunk at a time so `signal` ends it.
 */
async function readBounded(
  { handle, size }: { handle: FileHandle; size: number },
  file: string,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  // One byte more than the file had, so its end is seen without growing (a file in /proc says 0).
  // Stryker disable next-line MethodExpression: the first buffer only has to hold something: it grows while the file has more
  let buffer = Buffer.allocUnsafe(Math.min(Math.max(size + 1, 4096), maxBytes + 1));
  let total = 0;
  for (;;) {
    if (signal?.aborted) throw new RequestAbortedError(signal.reason);
    if (total === buffer.length) {
      // The file grew since it was checked: room for more, up to one byte past the limit.
      // Stryker disable next-line MethodExpression: a bigger buffer reads past the limit just the same, and the total is checked after each read
      const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(grown);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, total, Math.min(CHUNK, buffer.length - total), null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw refused(file, `the file grew past the limit of ${maxBytes} bytes while being read`);
  }
  return buffer.subarray(0, total);
}

/**
 * The bytes of a regular file of at most `maxBytes` (default 32 MiB), read as described above
 * (links, FIFOs and devices refused before reading); for a saved plan, say.
 */
export async function readRegularFile(file: string, options: Pick<ReadFileOptions, 'maxBytes' | 'signal'> = {}): Promise<Buffer> {
  const maxBytes = positiveOption('maxBytes', options.maxBytes, DEFAULT_MAX_FILE_BYTES);
  if (options.signal?.aborted) throw new RequestAbortedError(options.signal.reason);
  const opened = await openRegular(file, maxBytes);
  try {
    return await readBounded(opened, file, maxBytes, options.signal);
  } finally {
    await opened.handle.close();
  }
}

/**
 * Reads a desired-state file from disk and checks it (see {@link parseDesiredState}). Throws a
 * {@link DesiredStateError} for a file that is not a regular file, is larger than `maxBytes`, is
 * not UTF-8, or has any problem, before anything is sent; `signal` ends the reading.
 *
 * @example
 * ```ts
 * const { desired, sha256 } = await readDesiredStateFile('expiring-targets.yaml', { signal });
 * const plan = await planSync(ld, desired);
 * ```
 */
export async function readDesiredStateFile(file: string, options: ReadFileOptions = {}): Promise<DesiredStateFile> {
  const { desired, sha256, bytes } = await readCompiledFile(file, options, false);
  return { desired, sha256, bytes };
}

/**
 * {@link readDesiredStateFile}, with the state as checking compiled it when `keep` is true: the
 * command line plans that (./plan.ts's planCompiled), so each entry is checked once.
 */
export async function readCompiledFile(
  file: string,
  options: ReadFileOptions,
  keep: boolean,
): Promise<DesiredStateFile & { compiled: CompiledResource[] }> {
  const { text, sha256, bytes } = await readUtf8(file, options);
  const format = /\.json$/i.test(file) ? 'json' : 'yaml';
  const { desired, compiled } = readDesiredState(text, { ...options, fileName: file, format }, keep);
  return { desired, compiled, sha256, bytes };
}

/**
 * The file's text, hash and size. The bytes are let go here, before parsing: a big file's
 * parse is the peak of memory, and the buffer is not needed for it.
 */
async function readUtf8(file: string, options: ReadFileOptions): Promise<{ text: string; sha256: string; bytes: number }> {
  const bytes = await readRegularFile(file, options);
  let text: string;
  try {
    // The runtime's own decoder checks the bytes; only a refusal looks for where the fault is.
    text = STRICT_UTF8.decode(bytes);
  } catch {
    const at = lineAndColumn(bytes, Math.max(firstInvalidUtf8(bytes), 0));
    throw new DesiredStateError([{ ...at, path: [], message: 'the file is not valid UTF-8 here; save it as UTF-8' }], file);
  }
  return { text, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
