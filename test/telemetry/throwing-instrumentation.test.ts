// An instrumentation is the app's code: when it throws on an attempt, the call fails with its
// error, and nothing the client holds for that attempt (its rate budget slot) is kept.
import { SpanKind, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { registerInstrumentation } from '../../src/otel/index.js';
import { createExpiringTargetsClient } from '../../src/index.js';
import { scriptedServer } from '../support/http-server.js';

const server = scriptedServer();
const REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };

/** A provider whose tracer throws when it starts a client span (an attempt), and works otherwise. */
function throwingOnAttempts(): TracerProvider {
  const real = new BasicTracerProvider();
  return {
    getTracer(name, version, options) {
      const tracer = real.getTracer(name, version, options);
      const wrapped: Tracer = {
        startSpan(spanName, spanOptions, context) {
          if (spanOptions?.kind === SpanKind.CLIENT) throw new Error('the exporter broke');
          return tracer.startSpan(spanName, spanOptions, context);
        },
        startActiveSpan: tracer.startActiveSpan.bind(tracer) as Tracer['startActiveSpan'],
      };
      return wrapped;
    },
  };
}

describe('an instrumentation that throws on an attempt', () => {
  it('fails that call with its error and holds nothing back: the route is free for the next call at once', async () => {
    const unregister = registerInstrumentation({ tracerProvider: throwingOnAttempts() });
    try {
      // maxRetryDelayMs far above the test's timeout: a slot kept by the first call would hold the second.
      const client = createExpiringTargetsClient({ apiKey: 'api-test', baseUrl: server.url, maxRetries: 0, maxRetryDelayMs: 600_000 });
      await expect(client.segments.get(REF)).rejects.toThrow('the exporter broke');
      await expect(client.segments.get(REF)).rejects.toThrow('the exporter broke');
      expect(server.requests).toHaveLength(0);
    } finally {
      unregister();
    }
  }, 20_000);
});
