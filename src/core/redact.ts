/**
 * The one redaction step. Anything that comes from a response (bodies, headers, status text),
 * from a connection error, from a URL or from the environment may echo a secret back; it passes
 * through a redactor before it reaches an error, a result, an event, a terminal or a file.
 */

/** The text that replaces a secret. */
export const REDACTED = '[redacted]';

/** Replaces every secret it was made with; the identity function when there are none. */
export type Redactor = (text: string) => string;

/** Secrets shorter than this are not redacted: replacing every "a" in a text would hide everything. */
const SHORTEST_SECRET = 4;

/**
 * Builds the redactor for a set of secrets. Each secret is also matched in the forms a server is
 * likely to echo it in: escaped inside a JSON string, and percent-encoded in a URL.
 */
export function createRedactor(secrets: Iterable<string | undefined>): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < SHORTEST_SECRET) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  const bySpelling = (text: string) => {
    let result = text;
    for (const form of ordered) if (result.includes(form)) result = result.split(form).join(REDACTED);
    return result;
  };
  return (text) => {
    const result = bySpelling(text);
    // By meaning too: a JSON string may spell the secret with escapes (`\/`, `\u0061`). Only a
    // text holding such an escape pays for looking at its string literals.
    return ESCAPE.test(result) ? result.replace(ESCAPED_LITERAL, (literal) => redactLiteral(literal, bySpelling)) : result;
  };
}

/** An escape that can spell a character of a secret differently: `\/` or `\uXXXX`. */
const ESCAPE = /\\(?:\/|u[0-9A-Fa-f]{4})/;
/** A JSON string literal holding at least one escape. */
const ESCAPED_LITERAL = /"(?:[^"\\]|\\.)*\\(?:[^"\\]|\\.)*"/g;

/** The literal with its secrets redacted after decoding its escapes; as it was when it holds none. */
function redactLiteral(literal: string, bySpelling: (text: string) => string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(literal);
  } catch {
    return literal;
  }
  if (typeof decoded !== 'string') return literal;
  const redacted = bySpelling(decoded);
  return redacted === decoded ? literal : JSON.stringify(redacted);
}

/**
 * Header names whose values are credentials, whoever set them. Broad on purpose: a proxy's own
 * scheme (`X-Proxy-Key`, `X-Auth-Signature`, `Ocp-Apim-Subscription-Key`) is as secret as the
 * token, and redacting a value that was not secret costs only a less readable message.
 */
export const SECRET_HEADER = /auth|cookie|token|secret|passw|credential|session|signature|key/i;

/**
 * A copy of an error from below (fetch, undici, DNS) that keeps what helps diagnose it (name,
 * code, message, the same for its causes) with every string redacted. The original may quote a
 * header value or a URL, and `util.inspect` prints a cause chain in full.
 */
export function redactedCause(error: unknown, redact: Redactor, depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 4) return undefined;
  const source = error as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  const message = typeof source.message === 'string' ? source.message : String(error);
  const copy = new Error(redact(message));
  copy.name = typeof source.name === 'string' ? redact(source.name) : 'Error';
  if (typeof source.code === 'string') (copy as Error & { code?: string }).code = redact(source.code);
  const cause = redactedCause(source.cause, redact, depth + 1);
  if (cause) copy.cause = cause;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}
