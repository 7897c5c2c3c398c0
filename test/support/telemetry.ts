/**
 * Telemetry captured in memory: a logger that keeps every line, and OpenTelemetry's SDK with its
 * in-memory span exporter and a metric reader collected on demand, registered through the
 * package's own `registerInstrumentation`.
 */
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../../src/index.js';
import { registerInstrumentation } from '../../src/otel/index.js';

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  data: Record<string, unknown> | undefined;
}

/** A logger with console's argument order that keeps what it is given. */
export function captureLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const keep = (level: LogLine['level']) => (message: string, data?: Record<string, unknown>) => lines.push({ level, message, data });
  return { lines, error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug') };
}

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface CapturedTelemetry {
  spans(): ReadableSpan[];
  metrics(): Promise<ResourceMetrics>;
  reset(): void;
  stop(): Promise<void>;
}

/** Registers the package's instrumentation with an in-memory SDK; `stop` unregisters it. */
export function captureTelemetry(): CapturedTelemetry {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const unregister = registerInstrumentation({ tracerProvider, meterProvider });
  // What an SDK's start-up does: W3C trace context on the wire.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    spans: () => exporter.getFinishedSpans(),
    metrics: async () => (await reader.collect()).resourceMetrics,
    reset: () => exporter.reset(),
    stop: async () => {
      unregister();
      propagation.disable();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
