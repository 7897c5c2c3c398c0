/**
 * `ld-expiring-targets/otel`: spans and metrics through OpenTelemetry's API. Its own entry, the
 * only one that imports `@opentelemetry/api` (an optional peer dependency): an app that never
 * imports it loads none of it.
 *
 * ```ts
 * import { registerInstrumentation } from 'ld-expiring-targets/otel';
 * registerInstrumentation(); // once at start-up, after (or before) your OpenTelemetry SDK
 * ```
 *
 * From then on every client and proxy in the process reports: a span per call (and per
 * `patchAll`), a client span per HTTP attempt with OpenTelemetry's HTTP attribute names, a
 * server span per request the proxy receives, and the request-duration histograms.
 */
import {
  type Attributes as OtelAttributes,
  type Context,
  type Histogram,
  type Link,
  type MeterProvider,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  context,
  metrics,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { Attributes, Instrumentation, SpanHandle } from '../core/internal/instrumentation.js';
import { currentInstrumentation, setInstrumentation } from '../core/internal/telemetry.js';
import { PACKAGE_NAME, VERSION } from '../core/version.js';

/** Options of {@link registerInstrumentation}. */
export interface InstrumentationOptions {
  /** Where spans go. Default: the global tracer provider (what your SDK registered). */
  tracerProvider?: TracerProvider | undefined;
  /** Where metrics go. Default: the global meter provider. */
  meterProvider?: MeterProvider | undefined;
}

// Buckets OpenTelemetry's HTTP conventions advise for request durations, in seconds.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
// The attributes a duration is recorded with: bounded sets of values, unlike url.full or ids.
const CLIENT_METRIC_KEYS = [
  'http.request.method',
  'server.address',
  'server.port',
  'url.template',
  'http.response.status_code',
  'error.type',
];
const SERVER_METRIC_KEYS = ['http.request.method', 'http.route', 'url.scheme', 'http.response.status_code', 'error.type'];

const headerSetter = { set: (headers: Headers, key: string, value: string) => headers.set(key, value) };
const headerGetter = {
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
  keys: (headers: Headers) => [...headers.keys()],
};

function defined(attributes: Attributes): OtelAttributes {
  const out: OtelAttributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

function pick(attributes: OtelAttributes, keys: readonly string[]): OtelAttributes {
  const out: OtelAttributes = {};
  for (const key of keys) if (attributes[key] !== undefined) out[key] = attributes[key];
  return out;
}

/** A span as the client and proxy see it; `recorded` gets its attributes and duration once it ends. */
class OtelSpan implements SpanHandle {
  readonly context: Context;
  private readonly started = performance.now();
  constructor(
    readonly span: Span,
    parent: Context,
    private readonly attributes: OtelAttributes,
    private readonly recorded?: (attributes: OtelAttributes, seconds: number) => void,
  ) {
    this.context = trace.setSpan(parent, span);
  }

  event(name: string, attributes: Attributes): void {
    this.span.addEvent(name, defined(attributes));
  }

  end(attributes: Attributes, errorType?: string, description?: string): void {
    const final = { ...this.attributes, ...defined(attributes) };
    this.span.setAttributes(defined(attributes));
    if (errorType !== undefined) {
      final['error.type'] = errorType;
      this.span.setAttribute('error.type', errorType);
      this.span.setStatus({ code: SpanStatusCode.ERROR, ...(description !== undefined && { message: description }) });
    }
    this.span.end();
    this.recorded?.(final, (performance.now() - this.started) / 1000);
  }
}

/**
 * Makes every client and proxy in the process report through OpenTelemetry. Call it once at
 * start-up; calling it again replaces the previous registration. Returns a function that
 * removes it.
 */
export function registerInstrumentation(options: InstrumentationOptions = {}): () => void {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(PACKAGE_NAME, VERSION);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(PACKAGE_NAME, VERSION);
  const histogram = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: 's', description, advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
  const clientDuration = histogram('http.client.request.duration', 'Duration of HTTP client requests.');
  const serverDuration = histogram('http.server.request.duration', 'Duration of HTTP server requests.');

  const instrumentation: Instrumentation = {
    startCall(name, attributes, parent) {
      const parentContext = parent instanceof OtelSpan ? parent.context : context.active();
      const initial = defined(attributes);
      return new OtelSpan(tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: initial }, parentContext), parentContext, initial);
    },
    startAttempt(name, attributes, parent, headers) {
      const parentContext = parent instanceof OtelSpan ? parent.context : context.active();
      const initial = defined(attributes);
      const span = new OtelSpan(
        tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: initial }, parentContext),
        parentContext,
        initial,
        (a, s) => clientDuration.record(s, pick(a, CLIENT_METRIC_KEYS)),
      );
      // Whoever receives the request (your proxy, say) can continue this trace if it trusts it.
      propagation.inject(span.context, headers, headerSetter);
      return span;
    },
    activate(span, fn) {
      return span instanceof OtelSpan ? context.with(span.context, fn) : fn();
    },
    startServer(name, attributes, headers, trustIncoming) {
      const incoming = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
      const remote = trace.getSpanContext(incoming);
      // An anonymous caller must not choose the trace an operator's spans join: unless told to
      // trust it, the incoming context is only linked.
      const parentContext = trustIncoming && remote !== undefined ? incoming : context.active();
      const links: Link[] = !trustIncoming && remote !== undefined && trace.isSpanContextValid(remote) ? [{ context: remote }] : [];
      const initial = defined(attributes);
      return new OtelSpan(
        tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: initial, links }, parentContext),
        parentContext,
        initial,
        (a, s) => serverDuration.record(s, pick(a, SERVER_METRIC_KEYS)),
      );
    },
  };
  setInstrumentation(instrumentation);
  return () => {
    if (currentInstrumentation() === instrumentation) setInstrumentation(undefined);
  };
}
