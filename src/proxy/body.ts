/**
 * Reading a body into memory that the cap bounds, whatever its framing: one buffer, sized from
 * the declared length when there is one and grown by doubling otherwise, that each chunk is
 * copied into as it arrives (a body sent a byte at a time costs its bytes, not an object per
 * byte). Reading stops at the cap, and when the signal fires (a deadline, a client gone).
 */

/** Bytes read in full, or why not. */
export type BytesRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' | 'unreadable' | 'aborted' };

// Most bodies are small; a large one doubles its way up (about log2(size / 4 KiB) copies).
const FIRST_SIZE = 4 * 1024;

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
  let size = 0;
  const reader = stream.getReader();
  const stop = () => reader.cancel().catch(() => undefined);
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: the listener is removed in `finally`, and a signal aborts once.
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) return { ok: false, reason: 'aborted' };
      if (done) break;
      if (size + value.byteLength > maxBytes) {
        void stop();
        return { ok: false, reason: 'too-large' };
      }
      if (buffer === undefined && first === undefined) {
        first = value;
        size = value.byteLength;
        continue;
      }
      // Stryker disable next-line EqualityOperator: growing a buffer that is exactly full changes its capacity, never the bytes read.
      if (buffer === undefined || size + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(hint, size + value.byteLength, (buffer?.byteLength ?? size) * 2)));
        grown.set(buffer === undefined ? (first as Uint8Array) : buffer.subarray(0, size));
        buffer = grown;
        first = undefined;
      }
      buffer.set(value, size);
      size += value.byteLength;
    }
  } catch {
    return { ok: false, reason: signal.aborted ? 'aborted' : 'unreadable' };
    // Stryker disable next-line BlockStatement: a listener left behind cancels a reader whose stream has ended, which does nothing; only memory shows it.
  } finally {
    // Stryker disable next-line StringLiteral: as above.
    signal.removeEventListener('abort', stop);
  }
  if (buffer === undefined) return { ok: true, bytes: first ?? new Uint8Array(0) };
  return { ok: true, bytes: buffer.subarray(0, size) };
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
