// Prometheus exposition of the router: a prom-client registry whose collectors read the per-version
// recorders at scrape time, so the hot path never calls prom-client.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { BOUNDS_MS, BUCKETS } from './histogram.js';
import type { VersionRecorder } from './stats.js';

/** One app as the collectors see it. */
export interface MetricsSource {
  app: string;
  recorders: Iterable<VersionRecorder>;
  inFlight(version: string): number;
}

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const LE = [...BOUNDS_MS.map((ms) => ms / 1000), '+Inf'] as const;

interface HistogramValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * The request duration histogram, built from the recorders' cumulative buckets. prom-client's Histogram can
 * only observe values one at a time, so this is a minimal metric object of the shape its registry reads.
 */
class DurationHistogram {
  readonly name = 'greenlight_router_request_duration_seconds';
  readonly help = 'Time from request start to the end of the response, per app and version';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly sources: () => Iterable<MetricsSource>) {}

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: HistogramValue[];
  }> {
    const values: HistogramValue[] = [];
    for (const s of this.sources()) {
      for (const r of s.recorders) {
        const t = r.totals();
        const labels = { app: s.app, version: r.version };
        let cumulative = 0;
        for (let i = 0; i < BUCKETS; i++) {
          cumulative += t.histogram[i] ?? 0;
          values.push({
            metricName: `${this.name}_bucket`,
            labels: { ...labels, le: LE[i] ?? '+Inf' },
            value: cumulative,
          });
        }
        values.push({ metricName: `${this.name}_sum`, labels, value: t.sumMs / 1000 });
        values.push({ metricName: `${this.name}_count`, labels, value: t.timed });
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

export function createRouterMetrics(sources: () => Iterable<MetricsSource>): Registry {
  const registry = new Registry();
  new Counter({
    name: 'greenlight_router_requests_total',
    help: 'Responses forwarded by the router, per app, version and status class',
    labelNames: ['app', 'version', 'code'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources()) {
        for (const r of s.recorders) {
          const { classes } = r.totals();
          classes.forEach((n, i) => {
            if (n > 0) this.inc({ app: s.app, version: r.version, code: CLASSES[i] }, n);
          });
        }
      }
    },
  });
  new Counter({
    name: 'greenlight_router_upstream_errors_total',
    help: 'Requests the router answered 502/504 itself because the upstream failed',
    labelNames: ['app', 'version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources()) {
        for (const r of s.recorders) this.inc({ app: s.app, version: r.version }, r.totals().upstreamErrors);
      }
    },
  });
  new Gauge({
    name: 'greenlight_router_in_flight',
    help: 'Requests (and upgraded connections) in flight to upstreams, per app and version',
    labelNames: ['app', 'version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources()) {
        for (const r of s.recorders) this.set({ app: s.app, version: r.version }, s.inFlight(r.version));
      }
    },
  });
  // The registry only calls name/help/type/get on a metric; see DurationHistogram.
  registry.registerMetric(new DurationHistogram(sources) as unknown as Metric);
  return registry;
}
