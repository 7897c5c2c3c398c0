/**
 * What an instrumentation (such as `ld-expiring-targets/otel`) implements: spans, in words that
 * need no dependency. The client and the proxy decide the names and attributes (the conventions
 * live in ./call-scope.ts and ./proxy-telemetry.ts); an instrumentation only carries them to its
 * backend. Every string it is handed has passed the redaction step.
 */

/** Attribute values as OpenTelemetry accepts them; `undefined` ones are left out. */
export type Attributes = Record<string, string | number | boolean | undefined>;

/** A span begun by the client or the proxy. */
export interface SpanHandle {
  /** Records something that happened during the span (a retry decision, a rate-limit wait). */
  event(name: string, attributes: Attributes): void;
  /** Ends the span; `errorType` marks it failed (`error.type`), with a redacted description. */
  end(attributes: Attributes, errorType?: string, description?: string): void;
}

/** The hooks an instrumentation provides; each is called for every client and proxy in the process. */
export interface Instrumentation {
  /** A call of the client (one request with its retries) or a run of calls (`patchAll`, `sync`). */
  startCall(name: string, attributes: Attributes, parent: SpanHandle | undefined): SpanHandle;
  /**
   * One HTTP attempt, a child of its call. `headers` is this attempt's own copy of the request
   * headers: trace context may be written into it.
   */
  startAttempt(name: string, attributes: Attributes, parent: SpanHandle, headers: Headers): SpanHandle;
  /**
   * One request arriving at the proxy. Its trace context is continued only when `trustIncoming`;
   * otherwise the incoming context is linked, not adopted.
   */
  startServer(name: string, attributes: Attributes, headers: Headers, trustIncoming: boolean): SpanHandle;
  /**
   * Runs `fn` with `span` as the current span, so calls made through the public API inside it (a
   * sync's `patchAll` runs) become its children where the platform carries context across awaits.
   */
  activate<T>(span: SpanHandle, fn: () => Promise<T>): Promise<T>;
}
