/**
 * Reading a body into memory that the cap bounds, whatever its framing: one buffer, sized from
 * the declared length when there is one and grown by doubling otherwise, that each chunk is
 * copied into as it arrives (a body sent a byte at a time costs its bytes, not an object per
 * byte). Reading stops at the cap, and when the signal fires (a deadline, a client gone).
 */

/** Bytes read in full, or why not. */
export type BytesRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' | 'unreadable' | 'aborted' };

const FIRST_SIZE = 16 * 1024;

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
  let buffer = new Uint8Array(Math.min(hint, maxBytes));
  let size = 0;
  const reader = stream.getReader();
  const stop = () => reader.cancel().catch(() => undefined);
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
      if (size + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(size + value.byteLength, buffer.byteLength * 2)));
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(value, size);
      size += value.byteLength;
    }
  } catch {
    return { ok: false, reason: signal.aborted ? 'aborted' : 'unreadable' };
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return { ok: true, bytes: buffer.subarray(0, size) };
}

/** The declared `Content-Length`, when it is a plain number. */
export function declaredLength(headers: Headers): number | undefined {
  const declared = headers.get('content-length')?.trim();
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined when they are not UTF-8. */
export function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
