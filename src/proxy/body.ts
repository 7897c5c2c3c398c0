/**
 * Reads a request body with a size cap enforced while reading: a declared `Content-Length` over
 * the cap is refused before any byte is read, and a body without one (chunked) is abandoned as
 * soon as it passes the cap, so a large upload costs at most the cap in memory.
 */

/** A body read as text, or why it was not. */
export type BodyText = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'unreadable' | 'not-utf8' };

export async function readCappedText(request: Request, maxBytes: number): Promise<BodyText> {
  const declared = request.headers.get('content-length')?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) return { ok: false, reason: 'too-large' };
  if (request.body === null) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'not-utf8' };
  }
}
