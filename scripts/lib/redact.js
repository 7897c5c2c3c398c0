// @ts-check
/**
 * The one redaction step for text from outside (a source URL, an upstream document, an HTTP
 * status line) before spec:pull, generate or check:generated print it or write it to a file:
 * credentials in URLs are masked, and control characters are escaped so that upstream text
 * cannot drive the terminal.
 */

/** Query parameters that carry a credential when they appear in a URL. */
const CREDENTIAL_PARAMETER = /([?&;](?:token|access[-_]?token|api[-_]?key|key|secret|password|auth|sig|signature)=)[^&#;\s]*/gi;

/** @param {string} text */
export function redact(text) {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]+@/gi, '$1[redacted]@')
    .replace(CREDENTIAL_PARAMETER, '$1[redacted]')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
