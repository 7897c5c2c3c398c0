/**
 * Reading a body into memory that the cap bounds, whatever its framing: one buffer, sized from
 * the declared length when there is one and grown by doubling otherwise, that each chunk is
 * copied into as it arrives (a body sent a byte at a time costs its bytes, not an object per
 * byte). Past 1 MiB an undeclared body is no longer doubled: it fills blocks of 1 MiB, joined
 * once at the end, so a large answer never leaves a cap's worth of outgrown buffers for the
 * collector. Reading stops at the cap, and when the signal fires (a deadline, a client gone).
 */

/** Bytes read in full, or why not. */
export type BytesRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' | 'unreadable' | 'aborted' };

// Most bodies are small; a large one doubles its way up (about log2(size / 4 KiB) copies).
const FIRST_SIZE = 4 * 1024;
// Where doubling stops and blocks of this size take over.
const BLOCK_SIZE = 1024 * 1024;

export async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  options: { maxBytes: number; sizeHint?: number | undefined; signal: AbortSignal },
): Promise<BytesRead> {
  const { maxBytes, signal } = options;
  if (stream === null) return { ok: true, bytes: new Uint8Array(0) };
  if (signal.aborted) {
    stream.cancel().catch(() => undefined);
    return { ok: false, reason: 'aborted' };
  }
  const hint = options.sizeHint !== undefined && options.sizeHint >= 0 ? options.sizeHint : FIRST_SIZE;
  // A body that comes in one chunk (most do) is that chunk: the buffer is made at the second.
  let first: Uint8Array | undefined;
  let buffer: Uint8Array | undefined;
  // Blocks already full, in order, and the bytes they hold (only for an undeclared body past BLOCK_SIZE).
  const full: Uint8Array[] = [];
  let base = 0;
  let size = 0;
  const keep = (chunk: Uint8Array) => {
    for (let at = 0; at < chunk.byteLength; ) {
      const used = size - base;
      if (buffer === undefined || used === buffer.byteLength) {
        if (buffer !== undefined && buffer.byteLength >= BLOCK_SIZE) {
          full.push(buffer);
          base = size;
          buffer = new Uint8Array(Math.min(BLOCK_SIZE, maxBytes - base));
        } else {
          // Doubling up to BLOCK_SIZE (or the declared length at once), never past the cap.
          const wanted = Math.max(hint, Math.min(BLOCK_SIZE, Math.max(size + chunk.byteLength - at, (buffer?.byteLength ?? size) * 2)));
          const grown = new Uint8Array(Math.min(maxBytes, wanted));
          if (buffer !== undefined) grown.set(buffer.subarray(0, used));
          buffer = grown;
        }
        continue;
      }
      const n = Math.min(chunk.byteLength - at, buffer.byteLength - used);
      buffer.set(at === 0 && n === chunk.byteLength ? chunk : chunk.subarray(at, at + n), used);
      at += n;
      size += n;
    }
  };
  const reader = stream.getReader();
  const stop = () => reader.cancel().catch(() => undefined);
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: the listener is removed in `finally`, and a signal aborts once.
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) return { ok: false, reason: 'aborted' };
      if (done) break;
      if (size + (first?.byteLength ?? 0) + value.byteLength > maxBytes) {
        void stop();
        return { ok: false, reason: 'too-large' };
      }
      if (buffer === undefined && first === undefined) {
        first = value;
        continue;
      }
      if (first !== undefined) {
        keep(first);
        first = undefined;
      }
      keep(value);
    }
  } catch {
    return { ok: false, reason: signal.aborted ? 'aborted' : 'unreadable' };
    // Stryker disable next-line BlockStatement: a listener left behind cancels a reader whose stream has ended, which does nothing; only memory shows it.
  } finally {
    // Stryker disable next-line StringLiteral: as above.
    signal.removeEventListener('abort', stop);
  }
  if (buffer === undefined) return { ok: true, bytes: first ?? new Uint8Array(0) };
  if (full.length === 0) return { ok: true, bytes: buffer.subarray(0, size) };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const block of full) {
    bytes.set(block, at);
    at += block.byteLength;
  }
  bytes.set(buffer.subarray(0, size - base), base);
  return { ok: true, bytes };
}

/** The declared `Content-Length`, when it is a plain number. */
export function declaredLength(headers: Headers): number | undefined {
  // Stryker disable next-line MethodExpression: Headers already strips the blanks around a value.
  const declared = headers.get('content-length')?.trim();
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
}

// Stryker disable next-line StringLiteral: an empty label is read as the default, utf-8.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined when they are not UTF-8. */
export function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
    // Stryker disable next-line BlockStatement: an emptied catch returns undefined as well.
  } catch {
    return undefined;
  }
}
