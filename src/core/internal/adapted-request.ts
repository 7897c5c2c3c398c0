/**
 * How a server adapter (the Node listener) hands a request to a fetch handler with what a fetch
 * `Request` cannot carry: the request target exactly as it arrived (URL parsing rewrites `..`,
 * `%2e` and backslashes before a handler sees them) and a method fetch refuses to build a Request
 * with (`TRACE`, `TRACK`). Any fetch handler can take it, as a plain Request; the proxy reads the
 * rest. Internal: users cannot import it, so only the adapter can make one.
 */

/** An answer composed as plain data, its body a string known in full. Header names are lower case. */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** Methods fetch will not put in a Request; the adapter carries them as the request's `method`. */
export const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * What a handler that set `plainAnswer` returns, since a fetch handler must return a Response:
 * the adapter writes `plainAnswer` and never reads this one, so one empty Response serves all.
 */
export const ANSWERED_PLAINLY: Response = new Response(null, { status: 204 });

export class AdaptedRequest extends Request {
  /** The request target as it arrived on the wire (path and query, before any URL parsing). */
  readonly rawTarget: string;
  /**
   * Set by a handler that composed its answer as plain data (the proxy does): the adapter writes
   * it in one piece instead of reading the Response's body back out of a stream.
   */
  plainAnswer: PlainAnswer | undefined;

  /** `method` is the one on the wire; when fetch refuses it, the Request underneath is a GET without a body. */
  constructor(url: string, init: RequestInit & { duplex?: 'half' }, rawTarget: string) {
    const method = (init.method ?? 'GET').toUpperCase();
    const forbidden = FORBIDDEN_METHODS.has(method);
    super(url, forbidden ? { ...init, method: 'GET', body: null } : init);
    this.rawTarget = rawTarget;
    this.plainAnswer = undefined;
    // An own property in front of Request's getter: every handler sees the method that was sent.
    if (forbidden) Object.defineProperty(this, 'method', { value: method, enumerable: true });
  }
}
