/**
 * The `Request` class handed to openapi-fetch. A real `Request` turns its string body into a
 * stream that the transport must read back before it can send (and resend) it; that costs more
 * per call than the rest of this client together. This one keeps the body as the string
 * openapi-fetch serialised, and is where PATCHes get the semantic-patch Content-Type, so
 * middleware sees exactly the headers that go out.
 *
 * Middleware may still return a real `Request`: `instanceof` accepts both, and the transport
 * reads a real one the ordinary way.
 */
export const SEMANTIC_PATCH_CONTENT_TYPE = 'application/json; domain-model=launchdarkly.semanticpatch';

export class PreparedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | undefined;
  readonly redirect: RequestRedirect;
  signal: AbortSignal | undefined;

  constructor(input: string | URL, init: RequestInit = {}) {
    this.url = String(input);
    this.method = (init.method ?? 'GET').toUpperCase();
    // openapi-fetch hands over a Headers it built for this request alone: no need to copy it.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = typeof init.body === 'string' ? init.body : undefined;
    this.redirect = init.redirect ?? 'follow';
    this.signal = init.signal ?? undefined;
    // LaunchDarkly answers a plain application/json PATCH with 400: no caller of these
    // endpoints, raw client included, can send one.
    if (this.method === 'PATCH') this.headers.set('Content-Type', SEMANTIC_PATCH_CONTENT_TYPE);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === PreparedRequest.prototype) ||
      (typeof Request !== 'undefined' && value instanceof Request)
    );
  }

  text(): Promise<string> {
    return Promise.resolve(this.body ?? '');
  }

  json(): Promise<unknown> {
    return this.text().then(JSON.parse);
  }

  clone(): PreparedRequest {
    const init: RequestInit = { method: this.method, headers: this.headers, redirect: this.redirect };
    if (this.body !== undefined) init.body = this.body;
    return new PreparedRequest(this.url, init);
  }
}
