import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestResponse } from '../../shared/api.js';

/** Prometheus metrics of one app instance (own registry, so tests can build several apps). */
export class Metrics {
  readonly registry = new Registry();
  private readonly events = new Counter({ name: 'pingan_ingest_events_total', help: 'Ingested events by result', labelNames: ['result'], registers: [this.registry] });
  private readonly batch = new Histogram({
    name: 'pingan_ingest_batch_seconds', help: 'Time to ingest one request', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly http = new Counter({ name: 'pingan_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [this.registry] });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'pingan_' });
  }

  ingest(out: IngestResponse, seconds: number): void {
    this.events.inc({ result: 'accepted' }, out.accepted.length);
    this.events.inc({ result: 'duplicate' }, out.duplicates.length);
    this.events.inc({ result: 'rejected' }, out.rejected.length);
    this.batch.observe(seconds);
  }
}
